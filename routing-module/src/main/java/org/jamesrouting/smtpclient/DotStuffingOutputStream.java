package org.jamesrouting.smtpclient;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a message as SMTP DATA wants it: every line ending becomes CRLF (a bare LF or CR too),
 * a line starting with '.' gets one more '.', and {@link #finish()} ends with CRLF.CRLF.
 */
final class DotStuffingOutputStream extends FilterOutputStream {
    private boolean atLineStart = true;
    private boolean lastWasCr = false;

    DotStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (b == '\n') {
            if (!lastWasCr) {
                out.write('\r');
            }
            out.write('\n');
            atLineStart = true;
            lastWasCr = false;
            return;
        }
        if (lastWasCr) {
            // A bare CR: end the line properly.
            out.write('\n');
            atLineStart = true;
        }
        if (b == '\r') {
            out.write('\r');
            lastWasCr = true;
            return;
        }
        lastWasCr = false;
        if (atLineStart && b == '.') {
            out.write('.');
        }
        out.write(b);
        atLineStart = false;
    }

    /** Runs of ordinary bytes go through in one write; line ends and leading dots one by one. */
    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        int end = offset + length;
        int run = offset;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (b == '\n' || b == '\r' || lastWasCr || (atLineStart && b == '.')) {
                if (i > run) {
                    out.write(bytes, run, i - run);
                }
                write(b);
                run = i + 1;
            } else {
                atLineStart = false;
            }
        }
        if (end > run) {
            out.write(bytes, run, end - run);
        }
    }

    void finish() throws IOException {
        if (lastWasCr) {
            out.write('\n');
        } else if (!atLineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write(".\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() {
        // The connection stays open for the reply.
    }
}
