/* The relay's per-packet receive work, compiled: one call per SRTP packet, Python per frame.
 *
 * An InboundStream is one publisher RTP stream (one SSRC) as the relay receives it. For each
 * packet it does, in aiortc 1.16.0's order, what media/aiortc_seams.py's lean receive path
 * does in Python:
 *   - receiver-report statistics, with aiortc's StreamStatistics fields and arithmetic
 *     (the stream object sits in the receiver's remote-stream table, so aiortc's own RTCP
 *     receiver reports and getStats() read it);
 *   - NACK bookkeeping, as aiortc's NackGenerator (missing sequence numbers within the last
 *     128 of the highest seen);
 *   - video: reassembly of VP8 frames as aiortc_seams._VideoBuffer (aiortc's JitterBuffer,
 *     a frame released at its marker packet, a frame held up by a loss given up after
 *     `hold_ticks`), except that every frame completed by a packet is released at once;
 *   - audio: one Opus packet is one frame; late or repeated ones are dropped;
 *   - the timestamp mapper (first frame at 0, wraps unfolded), as aiortc_seams._TimestampMapper.
 * Python is called only when there is something to do: a frame, a NACK or a PLI to send.
 *
 * receive() unprotects an SRTP packet (libsrtp's srtp_unprotect, by address, as in
 * _fastpath.c), parses its RTP header and hands it to the InboundStream registered for its
 * SSRC and payload type; anything else comes back as the plain packet for the Python path.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*srtp_fn)(void *ctx, void *packet, int *len);

#define BUF_SIZE 2048
#define MAX_MISORDER 100  /* aiortc.jitterbuffer.MAX_MISORDER */
#define NACK_WINDOW 128   /* aiortc.rtp.RTP_HISTORY_SIZE */
#define PACKETS_LOST_MIN (-(1LL << 23))
#define PACKETS_LOST_MAX ((1LL << 23) - 1)

static unsigned char buffer[BUF_SIZE];

static int u16_gt(uint16_t a, uint16_t b) {
    return (a < b && b - a > 0x8000) || (a > b && a - b < 0x8000);
}

static int u32_gt(uint32_t a, uint32_t b) {
    return (a < b && b - a > 0x80000000u) || (a > b && a - b < 0x80000000u);
}

typedef struct {
    PyObject *payload; /* the RTP payload as received (VP8 descriptor included); NULL: empty */
    uint32_t timestamp;
    uint16_t skip; /* length of the VP8 payload descriptor */
    uint8_t marker;
} Slot;

typedef struct {
    PyObject_HEAD
    /* configuration */
    PyObject *owner; /* whoever Python hands the stream's results to */
    uint32_t ssrc;
    long long clock_rate;
    int video;
    int payload_type;
    uint32_t hold_ticks;
    int level_id; /* one-byte/two-byte header extension id of the audio level; 0: none */
    /* statistics, as aiortc.rtcrtpreceiver.StreamStatistics */
    int started;
    uint16_t base_seq, max_seq;
    long long cycles, packets_received, jitter_q4, last_arrival;
    uint32_t last_timestamp;
    long long expected_prior, received_prior;
    /* NACK, as aiortc.rtcrtpreceiver.NackGenerator */
    int nack_started;
    uint16_t nack_max;
    unsigned char missing[65536 / 8];
    /* reassembly (video), as aiortc.jitterbuffer.JitterBuffer + aiortc_seams._VideoBuffer */
    Slot *slots;
    unsigned capacity;
    int has_origin;
    uint16_t origin;
    int gave_up;
    /* audio: the last timestamp released */
    int has_audio_last;
    uint32_t audio_last;
    /* timestamp mapper, as aiortc_seams._TimestampMapper */
    int mapped;
    long long map_origin, map_unwrapped;
    uint32_t map_last;
    /* counters */
    long long packets;
} InboundStream;

/* ---- statistics ------------------------------------------------------------------- */

static long long now_in_clock(long long clock_rate) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double seconds = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    return (long long)(seconds * (double)clock_rate); /* int(time.time() * clockrate) */
}

static void count_packet(InboundStream *s, uint16_t seq, uint32_t timestamp) {
    int in_order = !s->started || u16_gt(seq, s->max_seq);
    s->packets_received++;
    if (!s->started) s->base_seq = seq;
    if (!in_order) {
        s->started = 1;
        return;
    }
    long long arrival = now_in_clock(s->clock_rate);
    if (s->started && seq < s->max_seq) s->cycles += 1 << 16;
    s->max_seq = seq;
    if (s->started && timestamp != s->last_timestamp && s->packets_received > 1) {
        long long diff = (arrival - s->last_arrival) -
                         ((long long)timestamp - (long long)s->last_timestamp);
        if (diff < 0) diff = -diff;
        s->jitter_q4 += diff - ((s->jitter_q4 + 8) >> 4);
    }
    s->started = 1;
    s->last_arrival = arrival;
    s->last_timestamp = timestamp;
}

static long long packets_expected(InboundStream *s) {
    return s->cycles + (long long)s->max_seq - (long long)s->base_seq + 1;
}

/* ---- NACK ------------------------------------------------------------------------- */

#define MISSING(s, seq) ((s)->missing[(seq) >> 3] & (1u << ((seq) & 7)))
#define SET_MISSING(s, seq) ((s)->missing[(seq) >> 3] |= (unsigned char)(1u << ((seq) & 7)))
#define CLEAR_MISSING(s, seq) ((s)->missing[(seq) >> 3] &= (unsigned char)~(1u << ((seq) & 7)))

/* Returns 1 when this packet revealed missing packets (aiortc then sends a NACK). */
static int nack_add(InboundStream *s, uint16_t seq) {
    if (!s->nack_started) {
        s->nack_started = 1;
        s->nack_max = seq;
        return 0;
    }
    if (!u16_gt(seq, s->nack_max)) {
        CLEAR_MISSING(s, seq);
        return 0;
    }
    uint16_t old_max = s->nack_max;
    unsigned jump = (uint16_t)(seq - old_max); /* 1..32767 */
    /* Sequence numbers that leave the window [max - 128, max - 1]. */
    unsigned leaving = jump < NACK_WINDOW ? jump : NACK_WINDOW;
    for (unsigned i = 0; i < leaving; i++) CLEAR_MISSING(s, (uint16_t)(old_max - NACK_WINDOW + i));
    /* The skipped ones still inside the new window are missing. */
    unsigned skipped = jump - 1;
    unsigned kept = skipped < NACK_WINDOW ? skipped : NACK_WINDOW;
    for (unsigned i = 1; i <= kept; i++) SET_MISSING(s, (uint16_t)(seq - i));
    s->nack_max = seq;
    return skipped > 0;
}

static int compare_ints(const void *a, const void *b) {
    return *(const int *)a - *(const int *)b;
}

/* ---- reassembly ------------------------------------------------------------------- */

static Slot *slot_at(InboundStream *s, unsigned count) {
    return &s->slots[(uint16_t)(s->origin + count) & (s->capacity - 1)];
}

static void clear_slot(Slot *slot) { Py_CLEAR(slot->payload); }

static void remove_packets(InboundStream *s, unsigned count) {
    for (unsigned i = 0; i < count; i++) {
        clear_slot(slot_at(s, 0));
        s->origin = (uint16_t)(s->origin + 1);
    }
}

/* aiortc's JitterBuffer.smart_remove: drop `count` packets, then the rest of their frame. */
static int smart_remove(InboundStream *s, unsigned count) {
    int have_timestamp = 0;
    uint32_t timestamp = 0;
    for (unsigned i = 0; i < s->capacity; i++) {
        Slot *slot = slot_at(s, 0);
        if (slot->payload != NULL) {
            if (i >= count && (!have_timestamp || timestamp != slot->timestamp)) break;
            have_timestamp = 1;
            timestamp = slot->timestamp;
        }
        clear_slot(slot);
        s->origin = (uint16_t)(s->origin + 1);
        if (i == s->capacity - 1) return 1;
    }
    return 0;
}

static long long map_timestamp(InboundStream *s, uint32_t timestamp) {
    if (!s->mapped) {
        s->mapped = 1;
        s->map_origin = s->map_unwrapped = timestamp;
        s->map_last = timestamp;
        return 0;
    }
    int32_t step = (int32_t)(timestamp - s->map_last); /* signed distance, modulo 2^32 */
    long long unwrapped = s->map_unwrapped + step;
    if (step > 0) { /* only a step forward moves on: a stale frame maps behind, once */
        s->map_last = timestamp;
        s->map_unwrapped = unwrapped;
    }
    return unwrapped - s->map_origin;
}

/* Append (timestamp, data, payloads, keyframe, discontinuity, audio_level) to `frames`. */
static int emit(InboundStream *s, PyObject **frames, uint32_t timestamp, PyObject *data,
                PyObject *payloads, int keyframe, int level) {
    if (*frames == NULL && (*frames = PyList_New(0)) == NULL) return -1;
    int discontinuity = s->gave_up;
    s->gave_up = 0;
    PyObject *level_obj = level >= 0 ? PyLong_FromLong(level) : (Py_INCREF(Py_None), Py_None);
    if (level_obj == NULL) return -1;
    PyObject *frame = Py_BuildValue("(LOOOON)", map_timestamp(s, timestamp), data, payloads,
                                    keyframe ? Py_True : Py_False,
                                    discontinuity ? Py_True : Py_False, level_obj);
    if (frame == NULL) return -1;
    int status = PyList_Append(*frames, frame);
    Py_DECREF(frame);
    return status;
}

/* The oldest frame, if whole: its packets are slots [0, *count) minus padding. 0: none. */
static int complete_frame(InboundStream *s, unsigned *count) {
    unsigned n = 0;
    uint32_t first = 0;
    for (unsigned i = 0; i < s->capacity; i++) {
        Slot *slot = slot_at(s, i);
        if (slot->payload == NULL) return 0;
        if (n && slot->timestamp != first) {
            *count = i; /* the next frame started: the previous one is whole */
            return 1;
        }
        if (!n) first = slot->timestamp;
        n++;
        if (slot->marker) {
            *count = i + 1;
            return 1;
        }
    }
    return 0;
}

/* Build the frame in slots [0, count) and remove them; padding-only frames are dropped. */
static int release_frame(InboundStream *s, unsigned count, PyObject **frames) {
    Py_ssize_t size = 0, parts = 0;
    for (unsigned i = 0; i < count; i++) {
        Slot *slot = slot_at(s, i);
        Py_ssize_t length = PyBytes_GET_SIZE(slot->payload);
        if (length) {
            size += length - slot->skip;
            parts++;
        }
    }
    if (parts == 0) { /* padding only (bandwidth probing without RTX): keeps seq contiguous */
        remove_packets(s, count);
        return 0;
    }
    uint32_t timestamp = slot_at(s, 0)->timestamp;
    PyObject *data = PyBytes_FromStringAndSize(NULL, size);
    PyObject *payloads = PyTuple_New(parts);
    if (data == NULL || payloads == NULL) goto fail;
    char *out = PyBytes_AS_STRING(data);
    int clean_start = -1;
    Py_ssize_t part = 0;
    for (unsigned i = 0; i < count; i++) {
        Slot *slot = slot_at(s, i);
        Py_ssize_t length = PyBytes_GET_SIZE(slot->payload);
        if (!length) continue;
        const unsigned char *bytes = (const unsigned char *)PyBytes_AS_STRING(slot->payload);
        /* VP8 payload descriptor (RFC 7741 §4.2): S=1 and PID=0 start a picture. */
        if (clean_start < 0) clean_start = (bytes[0] & 0x17) == 0x10;
        memcpy(out, bytes + slot->skip, (size_t)(length - slot->skip));
        out += length - slot->skip;
        PyObject *entry = PyTuple_Pack(2, slot->payload, slot->marker ? Py_True : Py_False);
        if (entry == NULL) goto fail;
        PyTuple_SET_ITEM(payloads, part++, entry);
    }
    /* RFC 6386 §9.1: bit 0 of the first byte is the inverse key-frame flag. */
    int keyframe = clean_start && size > 0 && (PyBytes_AS_STRING(data)[0] & 0x01) == 0;
    remove_packets(s, count);
    int status = emit(s, frames, timestamp, data, payloads, keyframe, -1);
    Py_DECREF(data);
    Py_DECREF(payloads);
    return status;
fail:
    Py_XDECREF(data);
    Py_XDECREF(payloads);
    return -1;
}

static int release_frames(InboundStream *s, PyObject **frames) {
    unsigned count;
    Py_ssize_t before = *frames == NULL ? 0 : PyList_GET_SIZE(*frames);
    while (complete_frame(s, &count))

        if (release_frame(s, count, frames) < 0) return -1;
    return (*frames == NULL ? 0 : PyList_GET_SIZE(*frames)) > before;
}

/* _VideoBuffer._skip_stalled: give up a frame that waited hold_ticks for a lost packet. */
static int skip_stalled(InboundStream *s, uint32_t newest) {
    Slot *head = NULL;
    for (unsigned i = 0; i < s->capacity && head == NULL; i++)
        if (slot_at(s, i)->payload != NULL) head = slot_at(s, i);
    if (head == NULL) return 0;
    uint32_t waited = newest - head->timestamp;
    if (!(s->hold_ticks < waited && waited < 0x80000000u)) return 0;
    for (unsigned i = 0; i < s->capacity; i++) {
        Slot *slot = slot_at(s, i);
        if (slot->payload != NULL && slot->timestamp == newest) {
            remove_packets(s, i);
            s->gave_up = 1;
            return 1;
        }
    }
    return 0;
}

/* JitterBuffer.add + _VideoBuffer.add. Returns -1 on a Python error, else the PLI flag. */
static int add_video(InboundStream *s, uint16_t seq, uint32_t timestamp, int marker,
                     PyObject *payload, unsigned skip, PyObject **frames) {
    int pli = 0;
    unsigned delta = 0, misorder = 0;
    if (!s->has_origin) {
        s->has_origin = 1;
        s->origin = seq;
    } else {
        delta = (uint16_t)(seq - s->origin);
        misorder = (uint16_t)(s->origin - seq);
    }
    if (misorder < delta) {
        if (misorder < MAX_MISORDER) { /* too late: its frame was released */
            /* _VideoBuffer.add still gives up a stalled frame, timed by this packet */
            if (!skip_stalled(s, timestamp)) return 0;
            return release_frames(s, frames) < 0 ? -1 : 0;
        }
        remove_packets(s, s->capacity);
        s->origin = seq;
        delta = 0;
        pli = 1;
    }
    if (delta >= s->capacity) {
        if (smart_remove(s, delta - s->capacity + 1)) s->origin = seq;
        pli = 1;
    }
    Slot *slot = &s->slots[seq & (s->capacity - 1)];
    Py_INCREF(payload);
    Py_XSETREF(slot->payload, payload);
    slot->timestamp = timestamp;
    slot->skip = (uint16_t)skip;
    slot->marker = (uint8_t)(marker != 0);
    int released = release_frames(s, frames);
    if (released == 0 && skip_stalled(s, timestamp)) released = release_frames(s, frames);
    return released < 0 ? -1 : pli;
}

static int add_audio(InboundStream *s, uint32_t timestamp, int marker, PyObject *payload,
                     int level, PyObject **frames) {
    if (PyBytes_GET_SIZE(payload) == 0) return 0; /* padding */
    if (s->has_audio_last && !u32_gt(timestamp, s->audio_last)) return 0; /* late or repeated */
    s->has_audio_last = 1;
    s->audio_last = timestamp;
    PyObject *payloads = Py_BuildValue("((OO))", payload, marker ? Py_True : Py_False);
    if (payloads == NULL) return -1;
    int status = emit(s, frames, timestamp, payload, payloads, 1, level);
    Py_DECREF(payloads);
    return status;
}

/* aiortc_seams._vp8_depayload: the descriptor's length, or -1 where aiortc raises. */
static int vp8_descriptor(const unsigned char *p, Py_ssize_t length) {
    if (length < 1) return -1;
    Py_ssize_t pos = 1;
    if (p[0] & 0x80) {
        if (length < 2) return -1;
        unsigned char extended = p[1];
        pos = 2;
        if (extended & 0x80) {
            if (length < 3) return -1;
            pos += (p[2] & 0x80) ? 2 : 1;
        }
        if (extended & 0x40) pos += 1;
        if (extended & 0x30) pos += 1;
        if (length < pos) return -1;
    }
    return (int)pos;
}

/* ---- one packet ------------------------------------------------------------------- */

typedef struct {
    uint16_t seq;
    uint32_t timestamp, ssrc;
    int marker, payload_type, level;
    const unsigned char *payload;
    Py_ssize_t payload_length;
} Rtp;

/* Audio level (RFC 6464) from header extensions (RFC 8285); -1 when absent or malformed. */
static int audio_level(const unsigned char *p, Py_ssize_t length, unsigned profile, int id) {
    Py_ssize_t pos = 0;
    int level = -1;
    while (pos < length) {
        if (p[pos] == 0) {
            pos++;
            continue;
        }
        int x_id;
        Py_ssize_t x_length;
        if (profile == 0xBEDE) {
            x_id = p[pos] >> 4;
            x_length = (p[pos] & 0x0F) + 1;
            pos += 1;
        } else if (profile == 0x1000) {
            if (pos + 2 > length) return -1;
            x_id = p[pos];
            x_length = p[pos + 1];
            pos += 2;
        } else {
            return -1;
        }
        if (pos + x_length > length) return -1;
        if (x_id == id) level = x_length == 1 ? p[pos] & 0x7F : -1; /* the last one counts */
        pos += x_length;
    }
    return level;
}

/* aiortc_seams._parse_rtp's checks; 0 when aiortc would drop the packet. */
static int parse(const unsigned char *p, Py_ssize_t length, int level_id, Rtp *rtp) {
    if (length < 12 || p[0] >> 6 != 2) return 0;
    Py_ssize_t pos = 12 + 4 * (p[0] & 0x0F);
    if (length < pos) return 0;
    rtp->marker = p[1] >> 7;
    rtp->payload_type = p[1] & 0x7F;
    rtp->seq = (uint16_t)(p[2] << 8 | p[3]);
    rtp->timestamp = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    rtp->ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
    rtp->level = -1;
    if (p[0] & 0x10) {
        if (length < pos + 4) return 0;
        unsigned profile = (unsigned)(p[pos] << 8 | p[pos + 1]);
        Py_ssize_t words = p[pos + 2] << 8 | p[pos + 3];
        pos += 4;
        if (length < pos + 4 * words) return 0;
        if (level_id > 0) rtp->level = audio_level(p + pos, 4 * words, profile, level_id);
        pos += 4 * words;
    }
    Py_ssize_t end = length;
    if (p[0] & 0x20) {
        unsigned padding = p[length - 1];
        if (!padding || padding > length - pos) return 0;
        end = length - padding;
    }
    rtp->payload = p + pos;
    rtp->payload_length = end - pos;
    return 1;
}

/* Statistics, NACK, reassembly for one packet; the result for Python, None or NULL. */
static PyObject *handle(InboundStream *s, const Rtp *rtp, int count_stats) {
    s->packets++;
    if (count_stats) count_packet(s, rtp->seq, rtp->timestamp);
    int nack = s->video && nack_add(s, rtp->seq);
    unsigned skip = 0;
    if (s->video && rtp->payload_length) {
        int descriptor = vp8_descriptor(rtp->payload, rtp->payload_length);
        if (descriptor < 0) goto done; /* aiortc drops what it cannot depayload */
        skip = (unsigned)descriptor;
    }
    PyObject *frames = NULL;
    PyObject *payload = PyBytes_FromStringAndSize((const char *)rtp->payload, rtp->payload_length);
    if (payload == NULL) return NULL;
    int pli = s->video ? add_video(s, rtp->seq, rtp->timestamp, rtp->marker, payload, skip, &frames)
                       : add_audio(s, rtp->timestamp, rtp->marker, payload, rtp->level, &frames);
    Py_DECREF(payload);
    if (pli < 0) {
        Py_XDECREF(frames);
        return NULL;
    }
    if (frames == NULL && !nack && !pli) Py_RETURN_NONE;
    if (frames == NULL) {
        frames = Py_None;
        Py_INCREF(frames);
    }
    return Py_BuildValue("(OOOON)", s->owner, (PyObject *)s, nack ? Py_True : Py_False,
                         pli ? Py_True : Py_False, frames);
done:
    if (!nack) Py_RETURN_NONE;
    return Py_BuildValue("(OOOOO)", s->owner, (PyObject *)s, Py_True, Py_False, Py_None);
}

/* ---- the Python type -------------------------------------------------------------- */

static PyTypeObject InboundStreamType;

static int stream_init(InboundStream *s, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"owner", "ssrc", "clock_rate", "video", "payload_type",
                            "hold_ticks", "audio_level_id", "capacity", NULL};
    PyObject *owner;
    unsigned long ssrc, hold_ticks;
    long long clock_rate;
    int video, payload_type, level_id, capacity;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OkLpikii", names, &owner, &ssrc, &clock_rate,
                                     &video, &payload_type, &hold_ticks, &level_id, &capacity))
        return -1;
    if (s->slots != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "InboundStream is already initialised");
        return -1;
    }
    if (capacity <= 0 || capacity > 32768 || (capacity & (capacity - 1)) != 0) {
        PyErr_SetString(PyExc_ValueError, "capacity must be a power of 2 up to 32768");
        return -1;
    }
    if (clock_rate <= 0 || payload_type < 0 || payload_type > 127) {
        PyErr_SetString(PyExc_ValueError, "clock rate or payload type out of range");
        return -1;
    }
    s->slots = PyMem_Calloc((size_t)capacity, sizeof(Slot));
    if (s->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_INCREF(owner);
    Py_XSETREF(s->owner, owner);
    s->ssrc = (uint32_t)ssrc;
    s->clock_rate = clock_rate;
    s->video = video;
    s->payload_type = payload_type;
    s->hold_ticks = (uint32_t)hold_ticks;
    s->level_id = level_id;
    s->capacity = (unsigned)capacity;
    return 0;
}

static void stream_clear_slots(InboundStream *s) {
    if (s->slots == NULL) return;
    for (unsigned i = 0; i < s->capacity; i++) clear_slot(&s->slots[i]);
}

static int stream_traverse(InboundStream *s, visitproc visit, void *arg) {
    Py_VISIT(s->owner);
    return 0;
}

static int stream_clear(InboundStream *s) {
    Py_CLEAR(s->owner);
    stream_clear_slots(s);
    return 0;
}

static void stream_dealloc(InboundStream *s) {
    PyObject_GC_UnTrack(s);
    stream_clear(s);
    PyMem_Free(s->slots);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static int ready(InboundStream *s) {
    if (s->slots != NULL) return 1;
    PyErr_SetString(PyExc_RuntimeError, "InboundStream was not initialised");
    return 0;
}

/* stream.add_packet(sequence_number, timestamp, marker, payload, audio_level, statistics)
 *   -> result or None: a packet that reached Python (the first of the stream, one aiortc's
 *   reader delivered, an RTX-unwrapped one: statistics=False, aiortc counts those on the
 *   RTX stream). audio_level: -1 when absent. */
static PyObject *stream_add_packet(InboundStream *s, PyObject *args) {
    if (!ready(s)) return NULL;
    int seq, marker, level, statistics;
    long long timestamp;
    Py_buffer payload;
    if (!PyArg_ParseTuple(args, "iLpy*ip", &seq, &timestamp, &marker, &payload, &level,
                          &statistics))
        return NULL;
    if (seq < 0 || seq > 0xFFFF || timestamp < 0 || timestamp > 0xFFFFFFFFLL || level > 127) {
        PyBuffer_Release(&payload);
        PyErr_SetString(PyExc_ValueError, "sequence number, timestamp or level out of range");
        return NULL;
    }
    Rtp rtp = {.seq = (uint16_t)seq,
               .timestamp = (uint32_t)timestamp,
               .ssrc = s->ssrc,
               .marker = marker,
               .payload_type = s->payload_type,
               .level = level < 0 ? -1 : level,
               .payload = payload.buf,
               .payload_length = payload.len};
    PyObject *result = handle(s, &rtp, statistics);
    PyBuffer_Release(&payload);
    return result;
}

/* stream.missing() -> sorted list of the sequence numbers to NACK (aiortc: sorted(missing)) */
static PyObject *stream_missing(InboundStream *s, PyObject *unused) {
    if (!ready(s)) return NULL;
    int found[NACK_WINDOW];
    int n = 0;
    if (s->nack_started)
        for (unsigned i = 1; i <= NACK_WINDOW; i++) {
            uint16_t seq = (uint16_t)(s->nack_max - i);
            if (MISSING(s, seq)) found[n++] = seq;
        }
    qsort(found, (size_t)n, sizeof found[0], compare_ints);
    PyObject *list = PyList_New(n);
    if (list == NULL) return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *value = PyLong_FromLong(found[i]);
        if (value == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, value);
    }
    return list;
}

static PyObject *optional_seq(InboundStream *s, uint16_t value) {
    if (!s->started) Py_RETURN_NONE;
    return PyLong_FromLong(value);
}

static PyObject *get_base_seq(InboundStream *s, void *c) { return optional_seq(s, s->base_seq); }
static PyObject *get_max_seq(InboundStream *s, void *c) { return optional_seq(s, s->max_seq); }
static PyObject *get_jitter(InboundStream *s, void *c) {
    return PyLong_FromLongLong(s->jitter_q4 >> 4);
}
static PyObject *get_packets_expected(InboundStream *s, void *c) {
    return PyLong_FromLongLong(s->started ? packets_expected(s) : 0);
}
static PyObject *get_packets_lost(InboundStream *s, void *c) {
    long long lost = s->started ? packets_expected(s) - s->packets_received : 0;
    if (lost < PACKETS_LOST_MIN) lost = PACKETS_LOST_MIN;
    if (lost > PACKETS_LOST_MAX) lost = PACKETS_LOST_MAX;
    return PyLong_FromLongLong(lost);
}
/* Like aiortc's property, reading it starts a new interval (one per receiver report). */
static PyObject *get_fraction_lost(InboundStream *s, void *c) {
    long long expected = s->started ? packets_expected(s) : 0;
    long long expected_interval = expected - s->expected_prior;
    s->expected_prior = expected;
    long long received_interval = s->packets_received - s->received_prior;
    s->received_prior = s->packets_received;
    long long lost_interval = expected_interval - received_interval;
    if (expected_interval == 0 || lost_interval <= 0) return PyLong_FromLong(0);
    /* Python's // floors; both operands are positive here. */
    return PyLong_FromLongLong((lost_interval << 8) / expected_interval);
}

static PyGetSetDef stream_getset[] = {
    {"base_seq", (getter)get_base_seq, NULL, "first sequence number received", NULL},
    {"max_seq", (getter)get_max_seq, NULL, "highest sequence number received", NULL},
    {"jitter", (getter)get_jitter, NULL, "interarrival jitter (RFC 3550), clock units", NULL},
    {"packets_expected", (getter)get_packets_expected, NULL, NULL, NULL},
    {"packets_lost", (getter)get_packets_lost, NULL, "cumulative, clamped to 24 bits", NULL},
    {"fraction_lost", (getter)get_fraction_lost, NULL, "since the last read, of 256", NULL},
    {NULL},
};

static PyMemberDef stream_members[] = {
    {"owner", T_OBJECT, offsetof(InboundStream, owner), READONLY, NULL},
    {"ssrc", T_UINT, offsetof(InboundStream, ssrc), READONLY, NULL},
    {"payload_type", T_INT, offsetof(InboundStream, payload_type), READONLY, NULL},
    {"cycles", T_LONGLONG, offsetof(InboundStream, cycles), READONLY, NULL},
    {"packets_received", T_LONGLONG, offsetof(InboundStream, packets_received), READONLY, NULL},
    {"packets", T_LONGLONG, offsetof(InboundStream, packets), READONLY,
     "packets handled here (RTX-unwrapped ones included)"},
    {NULL},
};

static PyMethodDef stream_methods[] = {
    {"add_packet", (PyCFunction)stream_add_packet, METH_VARARGS,
     "add_packet(sequence_number, timestamp, marker, payload, audio_level, statistics) -> "
     "result or None"},
    {"missing", (PyCFunction)stream_missing, METH_NOARGS, "missing() -> sorted list"},
    {NULL},
};

static PyTypeObject InboundStreamType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "media._receive.InboundStream",
    .tp_basicsize = sizeof(InboundStream),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "One publisher RTP stream: statistics, NACK and reassembly (see module doc).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)stream_init,
    .tp_dealloc = (destructor)stream_dealloc,
    .tp_free = PyObject_GC_Del,
    .tp_traverse = (traverseproc)stream_traverse,
    .tp_clear = (inquiry)stream_clear,
    .tp_methods = stream_methods,
    .tp_members = stream_members,
    .tp_getset = stream_getset,
};

/* receive(ctx, unprotect_fn, data, streams) -> None | bytes | result
 *   None: dropped or handled with nothing for Python to do;
 *   bytes: the plain packet, for the Python path (no InboundStream takes it);
 *   result: (owner, stream, nack, pli, frames) for the stream's owner to act on. */
static PyObject *receive(PyObject *self, PyObject *args) {
    unsigned long long ctx, fn;
    Py_buffer data;
    PyObject *streams;
    if (!PyArg_ParseTuple(args, "KKy*O!", &ctx, &fn, &data, &PyDict_Type, &streams)) return NULL;
    if (data.len > BUF_SIZE) {
        PyBuffer_Release(&data);
        Py_RETURN_NONE;
    }
    int length = (int)data.len;
    memcpy(buffer, data.buf, (size_t)length);
    PyBuffer_Release(&data);
    if (((srtp_fn)(uintptr_t)fn)((void *)(uintptr_t)ctx, buffer, &length) != 0) Py_RETURN_NONE;
    if (length >= 12 && PyDict_GET_SIZE(streams) > 0) {
        uint32_t ssrc = (uint32_t)buffer[8] << 24 | (uint32_t)buffer[9] << 16 |
                        (uint32_t)buffer[10] << 8 | buffer[11];
        PyObject *key = PyLong_FromUnsignedLong(ssrc);
        if (key == NULL) return NULL;
        PyObject *found = PyDict_GetItemWithError(streams, key); /* borrowed */
        Py_DECREF(key);
        if (found == NULL && PyErr_Occurred()) return NULL;
        if (found != NULL && Py_IS_TYPE(found, &InboundStreamType)) {
            InboundStream *s = (InboundStream *)found;
            Rtp rtp;
            if (!ready(s)) return NULL;
            if (!parse(buffer, length, s->level_id, &rtp)) Py_RETURN_NONE; /* as aiortc */
            if (rtp.payload_type == s->payload_type) {
                /* The dict's reference is borrowed: keep the stream alive while handling
                 * allocates (a finalizer could remove it from the dict). */
                Py_INCREF(s);
                PyObject *result = handle(s, &rtp, 1);
                Py_DECREF(s);
                return result;
            }
        }

    }
    return PyBytes_FromStringAndSize((const char *)buffer, length);
}

static PyMethodDef methods[] = {
    {"receive", receive, METH_VARARGS,
     "receive(ctx, unprotect_fn, data, streams) -> None | bytes | result"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "media._receive",
    "The relay's compiled receive path: SRTP unprotect, statistics, NACK, reassembly.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__receive(void) {
    if (PyType_Ready(&InboundStreamType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&InboundStreamType);
    if (PyModule_AddObject(m, "InboundStream", (PyObject *)&InboundStreamType) < 0) {
        Py_DECREF(&InboundStreamType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
