using System.Text;
using Monitor.Core.Feeds;
using Xunit;

namespace Monitor.Tests.Feeds.Json;

public sealed class JsonLargeFeedTests
{
    private const long TargetBytes = 50L * 1024 * 1024;

    /// <summary>
    /// 50 MB generated on the fly and read through a stream that cannot seek: the parser must stream it. One record in
    /// every 10,000 is broken, to show that rejections do not disturb the count of the rest.
    /// </summary>
    [Theory]
    [InlineData(FeedFormat.Json)]
    [InlineData(FeedFormat.Ndjson)]
    public async Task Streams_a_50_MB_feed_from_a_non_seekable_stream(FeedFormat format)
    {
        var generated = new GeneratedFeedStream(format, TargetBytes);
        var source = new FeedSource("big", _ => Task.FromResult<Stream>(generated));
        var entries = format == FeedFormat.Json
            ? JsonFeedParser.ParseArrayAsync(source, new FeedLimits(), CancellationToken.None)
            : JsonFeedParser.ParseNdjsonAsync(source, new FeedLimits(), CancellationToken.None);

        long records = 0, rejections = 0;
        string? lastId = null;
        await foreach (var entry in entries)
        {
            if (entry is FeedRecord record)
            {
                records++;
                lastId = record.RecordId;
            }
            else
            {
                rejections++;
            }
        }

        Assert.True(generated.BytesProduced >= TargetBytes, $"only {generated.BytesProduced} bytes were generated");
        Assert.Equal(generated.Records - generated.Broken, records);
        Assert.Equal(generated.Broken, rejections);
        Assert.Equal($"rec-{generated.Records - 1}", lastId);
    }

    /// <summary>Writes records until the target size is reached, a chunk at a time; it never holds the feed.</summary>
    private sealed class GeneratedFeedStream(FeedFormat format, long targetBytes) : Stream
    {
        private readonly StringBuilder _text = new();
        private byte[] _chunk = [];
        private int _chunkPosition;
        private bool _finished;

        public long BytesProduced { get; private set; }
        public long Records { get; private set; }
        public long Broken { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_chunkPosition == _chunk.Length && !NextChunk())
            {
                return 0;
            }

            var n = Math.Min(count, _chunk.Length - _chunkPosition);
            Array.Copy(_chunk, _chunkPosition, buffer, offset, n);
            _chunkPosition += n;
            BytesProduced += n;
            return n;
        }

        private bool NextChunk()
        {
            if (_finished)
            {
                return false;
            }

            _text.Clear();
            if (Records == 0 && format == FeedFormat.Json)
            {
                _text.Append('[');
            }

            for (var i = 0; i < 200 && BytesProduced + _text.Length < targetBytes; i++)
            {
                var id = Records++;
                var separator = format == FeedFormat.Json ? (id == 0 ? "" : ",") : "";
                if (id % 10_000 == 5_000)
                {
                    Broken++;
                    _text.Append(separator).Append($$"""{"record_id":"rec-{{id}}","reported_at":"2024-05-01T10:00:00 +01:00"}""");
                }
                else
                {
                    _text.Append(separator).Append($$"""{"record_id":"rec-{{id}}","reported_at":"2024-05-01T10:00:00Z","kind":"status-update","reporter":"CERT-A","request_refs":["REQ-{{id % 977}}"],"indicators":["192.0.2.{{id % 250}}","host{{id}}.example",{"type":"md5","value":"{{id:x32}}"}],"summary":"Routine update number {{id}} on the investigation"}""");
                }

                if (format == FeedFormat.Ndjson)
                {
                    _text.Append('\n');
                }
            }

            if (BytesProduced + _text.Length >= targetBytes)
            {
                _finished = true;
                if (format == FeedFormat.Json)
                {
                    _text.Append(']');
                }
            }

            _chunk = Encoding.UTF8.GetBytes(_text.ToString());
            _chunkPosition = 0;
            return _chunk.Length > 0;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
