using System.Buffers;
using System.Security.Cryptography;
using System.Text.Unicode;
using Monitor.Core.Feeds;

namespace Monitor.Core.Ingest;

/// <summary>What the first pass over a stored feed found: its content hash, and the first reason to refuse it whole.</summary>
internal sealed record FeedInspectionResult(string ContentHash, string? Problem, string? Location);

/// <summary>
/// The first pass over a stored feed, before anything is written: it hashes the bytes as stored and, through the same
/// <see cref="GzipGuard"/> the parsers read through, inflates gzip and checks the whole content against
/// <see cref="FeedLimits.MaxFeedBytes"/> and <see cref="FeedLimits.MaxGzipRatio"/> and for valid UTF-8. A file that
/// fails is quarantined whole, so no row of a gzip bomb or of a file in the wrong encoding is ever stored. The pass
/// costs what hashing cost before (one read of the blob) plus inflating gzip; a bomb is stopped after a few megabytes.
/// </summary>
internal static class FeedInspection
{
    private const int ChunkBytes = 1 << 16;

    public static async Task<FeedInspectionResult> InspectAsync(Stream stored, string name, FeedLimits limits, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hashing = new HashingStream(stored, hash);
        string? problem = null;
        string? location = null;
        try
        {
            var source = new FeedSource(name, _ => Task.FromResult<Stream>(hashing));
            await using var content = await GzipGuard.Decompressing(source, limits).OpenAsync(cancellationToken).ConfigureAwait(false);
            (problem, location) = await CheckUtf8Async(content, cancellationToken).ConfigureAwait(false);
        }
        catch (FeedLimitException ex)
        {
            (problem, location) = (ex.Message, "file");
        }
        catch (FeedFormatException ex)
        {
            (problem, location) = (ex.Message, ex.Location);
        }

        // The hash covers every stored byte, whatever stopped the check.
        await hashing.DrainAsync(cancellationToken).ConfigureAwait(false);
        return new FeedInspectionResult(Convert.ToHexStringLower(hash.GetHashAndReset()), problem, location);
    }

    /// <summary>
    /// Reads the content to its end and returns where it first stops being UTF-8 (null when it is). A file that starts with
    /// a UTF-16 byte order mark is left to the CSV reader, which decodes UTF-16.
    /// </summary>
    private static async Task<(string? Problem, string? Location)> CheckUtf8Async(Stream content, CancellationToken cancellationToken)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes + FileSignature.HeadBytes);
        var chars = ArrayPool<char>.Shared.Rent(ChunkBytes + 4);
        try
        {
            long offset = 0;
            var line = 1L;
            var carried = 0;
            bool? check = null;
            while (true)
            {
                var read = await content.ReadAsync(bytes.AsMemory(carried, ChunkBytes), cancellationToken).ConfigureAwait(false);
                var final = read == 0;
                var pending = bytes.AsSpan(0, carried + read);
                if (check is null)
                {
                    if (pending.Length < FileSignature.HeadBytes && !final)
                    {
                        carried = pending.Length;
                        continue;
                    }

                    if (FileSignature.Problem(pending) is { } binary)
                    {
                        return (binary, "byte 0");
                    }

                    check = !(pending.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || pending.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]));
                }

                if (check == false)
                {
                    // UTF-16: nothing to check here, but the content is still read to the end for the size limits.
                    carried = 0;
                    if (final)
                    {
                        return (null, null);
                    }

                    continue;
                }

                while (!pending.IsEmpty)
                {
                    var status = Utf8.ToUtf16(pending, chars, out var consumed, out _, replaceInvalidSequences: false, isFinalBlock: final);
                    line += pending[..consumed].Count((byte)'\n');
                    offset += consumed;
                    pending = pending[consumed..];
                    if (status == System.Buffers.OperationStatus.InvalidData)
                    {
                        var shown = Convert.ToHexString(pending[..Math.Min(pending.Length, 4)]);
                        return ($"not valid UTF-8 at line {line}, byte {offset} (bytes {shown}): save the file as UTF-8", $"line {line}");
                    }

                    if (status == System.Buffers.OperationStatus.NeedMoreData)
                    {
                        break;
                    }
                }

                if (final)
                {
                    return (null, null);
                }

                // An incomplete sequence at the end of the chunk is finished by the next read.
                pending.CopyTo(bytes);
                carried = pending.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Hashes what is read through it; disposing it leaves the stored stream open so the rest can still be hashed.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            hash.AppendData(buffer[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            hash.AppendData(buffer.Span[..read]);
            return read;
        }

        /// <summary>Reads (and hashes) whatever the check did not need.</summary>
        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
            try
            {
                while (await ReadAsync(buffer.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false) > 0)
                {
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
