using System.Text;
using Monitor.Core.Feeds;
using Xunit;

namespace Monitor.Tests.Feeds.Csv;

public sealed class CsvLargeFeedTests
{
    [Fact]
    public async Task A_100_MB_feed_streams_through_a_non_seekable_stream()
    {
        const int rows = 900_000;
        var source = new FeedSource("big.csv", _ => Task.FromResult<Stream>(new GeneratedCsvStream(rows)));

        var records = 0;
        var rejections = 0;
        await foreach (var entry in CsvFeedParser.ParseAsync(source, new FeedLimits(), CancellationToken.None))
        {
            if (entry is FeedRecord)
            {
                records++;
            }
            else
            {
                rejections++;
            }
        }

        Assert.Equal(rows, records);
        Assert.Equal(0, rejections);
    }

    /// <summary>Writes a header and <paramref name="rows"/> rows of about 115 bytes on demand; nothing is kept.</summary>
    private sealed class GeneratedCsvStream(int rows) : Stream
    {
        private readonly byte[] _pending = new byte[4096];
        private int _pendingLength;
        private int _pendingPosition;
        private int _next = -1;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var written = 0;
            while (written < count)
            {
                if (_pendingPosition == _pendingLength && !Produce())
                {
                    break;
                }

                var chunk = Math.Min(count - written, _pendingLength - _pendingPosition);
                Array.Copy(_pending, _pendingPosition, buffer, offset + written, chunk);
                _pendingPosition += chunk;
                written += chunk;
            }

            return written;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private bool Produce()
        {
            if (_next >= rows)
            {
                return false;
            }

            var line = _next < 0
                ? "record_id,reported_at,reporter,kind,request_refs,indicators,summary,findings,evidence\r\n"
                : $"INC-{_next:D8},2026-11-16T08:{_next % 60:D2}:00Z,CERT-B,response,REQ-{_next % 977:D4};REQ-0001,\"198.51.100.{_next % 250}; host{_next}.example\",\"Reply, with comma\nand a line break\",yes,no\r\n";
            _pendingLength = Encoding.UTF8.GetBytes(line, _pending);
            _pendingPosition = 0;
            _next++;
            return true;
        }
    }
}
