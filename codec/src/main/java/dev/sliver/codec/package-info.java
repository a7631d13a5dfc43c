/**
 * The record format and its readers and writers: {@link dev.sliver.codec.Codec} (one record to
 * or from a channel or file, zero-copy reads and mapping), {@link dev.sliver.codec.RecordReader}
 * and {@link dev.sliver.codec.RecordWriter}, and files of records:
 * {@link dev.sliver.codec.RecordFile}, {@link dev.sliver.codec.RecordAppender} and
 * {@link dev.sliver.codec.RecordScanner}.
 */
package dev.sliver.codec;
