/* The relay's per-packet send work that Python cannot do cheaply: SRTP and the syscall.
 *
 * send_frame() writes one forwarded frame to one subscriber: for each RTP payload it builds
 * the 12-byte RTP header, keeps the plain packet in the subscriber's NACK history, protects
 * a copy with the subscriber's libsrtp session and sends the frame's packets with one
 * sendmmsg(). In Python the same steps cost ~15 us per packet (struct, bytes concatenation,
 * pylibsrtp's cffi wrapper, the transport's sendto); here ~3 us, most of it the kernel's.
 *
 * libsrtp is not linked here: the caller passes the address of srtp_protect from
 * pylibsrtp's own cffi module and the session's srtp_t, so both use the one libsrtp
 * the process already runs (media/aiortc_seams.py checks version and bytes at start-up).
 *
 * Packets the kernel does not take at once (EAGAIN, or any error) are returned, protected,
 * for the caller to give to the UDP transport, which buffers them or reports the error
 * exactly as it would have for its own sendto().
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* libsrtp 2: srtp_err_status_t srtp_protect(srtp_t ctx, void *rtp_hdr, int *len_ptr) */
typedef int (*srtp_fn)(void *ctx, void *packet, int *len);

#define RTP_HEADER 12
/* libsrtp's SRTP_MAX_TRAILER_LEN (tag + MKI) is 144; a forwarded payload is at most an MTU. */
#define SRTP_TRAILER 144
#define BUF_SIZE 2048
#define MAX_PAYLOAD (BUF_SIZE - RTP_HEADER - SRTP_TRAILER)
#define BATCH 64

static unsigned char buffers[BATCH][BUF_SIZE];
static struct mmsghdr messages[BATCH];
static struct iovec vectors[BATCH];

static int sockaddr_from(PyObject *bytes, const struct sockaddr **addr, socklen_t *len) {
    if (!PyBytes_Check(bytes)) {
        PyErr_SetString(PyExc_TypeError, "address must be bytes from sockaddr()");
        return -1;
    }
    Py_ssize_t size = PyBytes_GET_SIZE(bytes);
    if (size != sizeof(struct sockaddr_in) && size != sizeof(struct sockaddr_in6)) {
        PyErr_SetString(PyExc_ValueError, "address is not a sockaddr_in or sockaddr_in6");
        return -1;
    }
    *addr = (const struct sockaddr *)PyBytes_AS_STRING(bytes);
    *len = (socklen_t)size;
    return 0;
}

/* sockaddr(host, port) -> bytes: the address send_frame() sends to, resolved once. */
static PyObject *fp_sockaddr(PyObject *self, PyObject *args) {
    const char *host;
    int port;
    if (!PyArg_ParseTuple(args, "si", &host, &port)) return NULL;
    if (port < 0 || port > 65535) {
        PyErr_SetString(PyExc_ValueError, "port out of range");
        return NULL;
    }
    struct sockaddr_in v4;
    memset(&v4, 0, sizeof v4);
    if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons((uint16_t)port);
        return PyBytes_FromStringAndSize((const char *)&v4, sizeof v4);
    }
    struct sockaddr_in6 v6;
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((uint16_t)port);
        return PyBytes_FromStringAndSize((const char *)&v6, sizeof v6);
    }
    PyErr_Format(PyExc_ValueError, "not a numeric IP address: %s", host);
    return NULL;
}

/* Send messages[0:count) on fd; returns how many went out (the rest could not, now). */
static int send_batch(int fd, int count) {
    int sent = 0;
    while (sent < count) {
        int n = sendmmsg(fd, messages + sent, (unsigned int)(count - sent), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            break; /* EAGAIN or an error: the transport takes over from here */
        }
        sent += n;
    }
    return sent;
}

static int append_unsent(PyObject **unsent, int from, int count) {
    for (int i = from; i < count; i++) {
        if (*unsent == NULL && (*unsent = PyList_New(0)) == NULL) return -1;
        PyObject *packet =
            PyBytes_FromStringAndSize((const char *)buffers[i], (Py_ssize_t)vectors[i].iov_len);
        if (packet == NULL || PyList_Append(*unsent, packet) < 0) {
            Py_XDECREF(packet);
            return -1;
        }
        Py_DECREF(packet);
    }
    return 0;
}

/* Build, remember and protect the packet for `payload` into buffers[slot]; -1: Python error,
 * 1: protect failed (the packet is skipped, its sequence number spent, as a loss). */
static int prepare(int slot, PyObject *payload, int marker, unsigned char pt, uint16_t seq,
                   uint32_t timestamp, uint32_t ssrc, PyObject *history, void *ctx,
                   srtp_fn protect) {
    if (!PyBytes_Check(payload)) {
        PyErr_SetString(PyExc_TypeError, "payload must be bytes");
        return -1;
    }
    Py_ssize_t size = PyBytes_GET_SIZE(payload);
    if (size > MAX_PAYLOAD) {
        PyErr_Format(PyExc_ValueError, "payload of %zd bytes is larger than an MTU", size);
        return -1;
    }
    PyObject *plain = PyBytes_FromStringAndSize(NULL, RTP_HEADER + size);
    if (plain == NULL) return -1;
    unsigned char *p = (unsigned char *)PyBytes_AS_STRING(plain);
    p[0] = 0x80;
    p[1] = (unsigned char)(marker ? (pt | 0x80) : pt);
    p[2] = (unsigned char)(seq >> 8);
    p[3] = (unsigned char)seq;
    p[4] = (unsigned char)(timestamp >> 24);
    p[5] = (unsigned char)(timestamp >> 16);
    p[6] = (unsigned char)(timestamp >> 8);
    p[7] = (unsigned char)timestamp;
    p[8] = (unsigned char)(ssrc >> 24);
    p[9] = (unsigned char)(ssrc >> 16);
    p[10] = (unsigned char)(ssrc >> 8);
    p[11] = (unsigned char)ssrc;
    memcpy(p + RTP_HEADER, PyBytes_AS_STRING(payload), (size_t)size);
    Py_ssize_t slots = PyList_GET_SIZE(history);
    /* PyList_SetItem steals the reference to plain: the history now owns it. */
    if (PyList_SetItem(history, seq % slots, plain) < 0) return -1;

    int length = (int)(RTP_HEADER + size);
    memcpy(buffers[slot], p, (size_t)length);
    if (protect(ctx, buffers[slot], &length) != 0) return 1;
    vectors[slot].iov_base = buffers[slot];
    vectors[slot].iov_len = (size_t)length;
    return 0;
}

/* send_frame(fd, addr, ctx, protect, payload_type, ssrc, seq, timestamp, payloads, history)
 *   -> (next_seq, packets, octets, unsent)
 * payloads: sequence of (bytes, marker); history: list, slot seq % len(history) gets the
 * plain packet; unsent: None, or the protected packets for the transport to send. */
static PyObject *fp_send_frame(PyObject *self, PyObject *args) {
    int fd, pt, seq_in;
    PyObject *addr_obj, *payloads, *history;
    unsigned long long ctx_addr, protect_addr;
    unsigned long ssrc_in, timestamp_in;
    if (!PyArg_ParseTuple(args, "iOKKikikOO!", &fd, &addr_obj, &ctx_addr, &protect_addr, &pt,
                          &ssrc_in, &seq_in, &timestamp_in, &payloads, &PyList_Type, &history))
        return NULL;
    const struct sockaddr *addr;
    socklen_t addr_len;
    if (sockaddr_from(addr_obj, &addr, &addr_len) < 0) return NULL;
    if (PyList_GET_SIZE(history) == 0) {
        PyErr_SetString(PyExc_ValueError, "history must not be empty");
        return NULL;
    }
    if (pt < 0 || pt > 127) {
        PyErr_SetString(PyExc_ValueError, "payload type out of range");
        return NULL;
    }
    PyObject *items = PySequence_Fast(payloads, "payloads must be a sequence");
    if (items == NULL) return NULL;

    void *ctx = (void *)(uintptr_t)ctx_addr;
    srtp_fn protect = (srtp_fn)(uintptr_t)protect_addr;
    uint16_t seq = (uint16_t)seq_in;
    uint32_t timestamp = (uint32_t)timestamp_in, ssrc = (uint32_t)ssrc_in;
    Py_ssize_t total = PySequence_Fast_GET_SIZE(items);
    PyObject **entries = PySequence_Fast_ITEMS(items);
    PyObject *unsent = NULL;
    long long octets = 0;
    int packets = 0;

    for (Py_ssize_t start = 0; start < total; start += BATCH) {
        int count = 0;
        Py_ssize_t end = start + BATCH < total ? start + BATCH : total;
        for (Py_ssize_t i = start; i < end; i++) {
            PyObject *entry = entries[i];
            if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 2) {
                PyErr_SetString(PyExc_TypeError, "each payload must be a (bytes, marker) tuple");
                goto fail;
            }
            PyObject *payload = PyTuple_GET_ITEM(entry, 0);
            int marker = PyObject_IsTrue(PyTuple_GET_ITEM(entry, 1));
            if (marker < 0) goto fail;
            int status =
                prepare(count, payload, marker, (unsigned char)pt, seq, timestamp, ssrc, history,
                        ctx, protect);
            if (status < 0) goto fail;
            seq = (uint16_t)(seq + 1);
            packets++;
            octets += PyBytes_GET_SIZE(payload);
            if (status > 0) continue;
            memset(&messages[count], 0, sizeof messages[count]);
            messages[count].msg_hdr.msg_name = (void *)addr;
            messages[count].msg_hdr.msg_namelen = addr_len;
            messages[count].msg_hdr.msg_iov = &vectors[count];
            messages[count].msg_hdr.msg_iovlen = 1;
            count++;
        }
        /* Once one packet had to wait, the rest queue behind it: order is kept. */
        int sent = unsent == NULL ? send_batch(fd, count) : 0;
        if (append_unsent(&unsent, sent, count) < 0) goto fail;
    }
    Py_DECREF(items);
    if (unsent == NULL) {
        unsent = Py_None;
        Py_INCREF(unsent);
    }
    return Py_BuildValue("(iiLN)", (int)seq, packets, octets, unsent);

fail:
    Py_DECREF(items);
    Py_XDECREF(unsent);
    return NULL;
}

static PyMethodDef methods[] = {
    {"sockaddr", fp_sockaddr, METH_VARARGS, "sockaddr(host, port) -> bytes"},
    {"send_frame", fp_send_frame, METH_VARARGS,
     "send_frame(fd, addr, ctx, protect, payload_type, ssrc, seq, timestamp, payloads, "
     "history) -> (next_seq, packets, octets, unsent)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "media._fastpath",
    "SRTP protect and sendmmsg of forwarded RTP packets (see aiortc_seams.DirectSender).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__fastpath(void) { return PyModule_Create(&module); }
