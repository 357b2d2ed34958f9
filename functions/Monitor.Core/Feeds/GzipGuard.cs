using System.IO.Compression;

namespace Monitor.Core.Feeds;

/// <summary>A feed broke a size limit (<see cref="FeedLimits.MaxFeedBytes"/>, <see cref="FeedLimits.MaxGzipRatio"/>): the whole file is refused.</summary>
internal sealed class FeedLimitException(string message) : Exception(message);

/// <summary>
/// Opens every feed through a size guard, decompressing gzip on the fly. A file is gzip when its name ends
/// with ".gz" and it starts with the gzip magic bytes, or when it starts with them under any name (partners
/// upload compressed files without the suffix). Nothing is buffered beyond the stream buffers.
/// </summary>
internal static class GzipGuard
{
    /// <summary>Decompressed bytes allowed beyond the ratio, so a tiny file with a legitimately high ratio passes.</summary>
    public const long RatioAllowanceBytes = 1 << 20;

    /// <summary>
    /// A source whose streams are decompressed (when gzip) and limited. Its name loses a ".gz" suffix so that format
    /// detection sees the inner extension ("feed.csv.gz" -> "feed.csv").
    /// </summary>
    public static FeedSource Decompressing(FeedSource compressed, FeedLimits limits) =>
        new(InnerName(compressed.Name), cancellationToken => OpenAsync(compressed, limits, cancellationToken));

    public static string InnerName(string name) =>
        name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name;

    private static async Task<Stream> OpenAsync(FeedSource compressed, FeedLimits limits, CancellationToken cancellationToken)
    {
        var raw = await compressed.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var magic = new byte[2];
            var count = await raw.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var source = new PeekedStream(magic.AsMemory(0, count), raw);

            // The magic decides, not the name: a ".gz" that is not gzip is read as it is rather than failing as corrupt.
            var isGzip = count == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            var content = isGzip ? new GZipStream(source, CompressionMode.Decompress) : (Stream)source;
            return new FeedLimitStream(content, source, isGzip, limits);
        }
        catch
        {
            await raw.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>
/// A read-only stream that counts what it passes on and throws <see cref="FeedLimitException"/> as soon as the feed
/// passes <see cref="FeedLimits.MaxFeedBytes"/>, or, for gzip, as soon as the output outgrows
/// <see cref="FeedLimits.MaxGzipRatio"/> times the compressed bytes read so far: a gzip bomb is stopped after a few
/// megabytes, not after it has been inflated.
/// </summary>
internal sealed class FeedLimitStream(Stream content, PeekedStream source, bool isGzip, FeedLimits limits) : ReadOnlyStream
{
    private readonly GzipTrailerCheck? _trailer = isGzip ? new GzipTrailerCheck() : null;
    private long _bytesRead;

    /// <summary>Bytes of feed content (decompressed) read so far.</summary>
    public override long BytesRead => _bytesRead;

    /// <summary>Bytes of the stored file (compressed, when gzip) read so far.</summary>
    public long SourceBytesRead => source.BytesRead;

    public override int Read(Span<byte> buffer)
    {
        try
        {
            var read = content.Read(buffer);
            return Count(buffer[..read], buffer.Length);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            var read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Count(buffer.Span[..read], buffer.Length);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            content.Dispose();
            source.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await content.DisposeAsync().ConfigureAwait(false);
        await source.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Count(ReadOnlySpan<byte> output, int requested)
    {
        var read = output.Length;
        _bytesRead += read;
        if (_bytesRead > limits.MaxFeedBytes)
        {
            throw new FeedLimitException($"the feed is larger than the limit of {limits.MaxFeedBytes} bytes");
        }

        if (isGzip && _bytesRead > (limits.MaxGzipRatio * source.BytesRead) + GzipGuard.RatioAllowanceBytes)
        {
            throw new FeedLimitException(
                $"gzip expanded {source.BytesRead} compressed bytes to more than {_bytesRead} bytes, over the limit ratio of {limits.MaxGzipRatio} (a decompression bomb?)");
        }

        if (_trailer is not null && requested > 0)
        {
            _trailer.Append(output, read < requested);
            if (read == 0 && _trailer.Problem(source.Tail, source.BytesRead) is { } truncated)
            {
                throw new FeedFormatException(truncated, $"compressed byte {source.BytesRead}");
            }
        }

        return read;
    }

    private FeedFormatException Corrupt(InvalidDataException e) =>
        new($"corrupt gzip data: {e.Message}", $"compressed byte {source.BytesRead}");
}

/// <summary>A read-only stream that serves bytes already read (to sniff the magic) before the rest, and counts everything it serves.</summary>
internal sealed class PeekedStream(ReadOnlyMemory<byte> peeked, Stream inner) : ReadOnlyStream
{
    private const int TailBytes = 8;
    private readonly byte[] _tail = new byte[TailBytes];
    private ReadOnlyMemory<byte> _peeked = peeked;
    private long _bytesRead;
    private int _tailLength;

    public override long BytesRead => _bytesRead;

    /// <summary>The last (up to) 8 bytes served: a gzip file's trailer once the end is reached.</summary>
    public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, _tailLength);

    public override int Read(Span<byte> buffer)
    {
        // Hand back the peeked bytes together with what follows: readers such as StreamReader look for a
        // 3-byte BOM in their first read and miss it when that read returns only the 2 peeked bytes.
        var taken = TakePeeked(buffer);
        var read = taken < buffer.Length ? inner.Read(buffer[taken..]) : 0;
        _bytesRead += read;
        KeepTail(buffer[..(taken + read)]);
        return taken + read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var taken = TakePeeked(buffer.Span);
        var read = taken < buffer.Length ? await inner.ReadAsync(buffer[taken..], cancellationToken).ConfigureAwait(false) : 0;
        _bytesRead += read;
        KeepTail(buffer.Span[..(taken + read)]);
        return taken + read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Keeps the last 8 bytes of what was kept and what is served now, in place (no allocation per read).</summary>
    private void KeepTail(ReadOnlySpan<byte> served)
    {
        if (served.Length >= TailBytes)
        {
            served[^TailBytes..].CopyTo(_tail);
            _tailLength = TailBytes;
            return;
        }
        var kept = Math.Min(_tailLength, TailBytes - served.Length);
        _tail.AsSpan(_tailLength - kept, kept).CopyTo(_tail);
        served.CopyTo(_tail.AsSpan(kept));
        _tailLength = kept + served.Length;
    }

    private int TakePeeked(Span<byte> buffer)
    {
        if (_peeked.IsEmpty || buffer.IsEmpty)
        {
            return 0;
        }

        var taken = Math.Min(buffer.Length, _peeked.Length);
        _peeked.Span[..taken].CopyTo(buffer);
        _peeked = _peeked[taken..];
        _bytesRead += taken;
        return taken;
    }
}
