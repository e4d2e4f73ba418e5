"""After the meeting: the minutes and the conclusion notice, drafted from what was recorded,
edited by the secretary, signed by the chair (PAdES), verified by anyone."""
