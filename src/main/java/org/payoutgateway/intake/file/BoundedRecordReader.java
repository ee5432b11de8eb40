package org.payoutgateway.intake.file;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Caps how much text one record (a CSV record, a JSON line) may take, so that an unclosed quote or
 * a file that is one endless line fails with a clear error instead of filling memory. The reader
 * of records calls {@link #nextRecord()} after each record it returns.
 */
final class BoundedRecordReader extends FilterReader {

    /**
     * Characters one record may span, read-ahead buffers included: room for a field far over the
     * 1,024-character limit (that row alone is rejected), small enough that memory stays bounded.
     */
    static final int MAX_RECORD_CHARS = 16 << 20;

    private long sinceRecord;

    BoundedRecordReader(Reader in) {
        super(in);
    }

    void nextRecord() {
        sinceRecord = 0;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c != -1) {
            count(1);
        }
        return c;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) throws IOException {
        sinceRecord += n;
        if (sinceRecord > MAX_RECORD_CHARS) {
            throw new IOException("a record is longer than " + MAX_RECORD_CHARS
                    + " characters (an unclosed quote, or no line breaks?)");
        }
    }
}
