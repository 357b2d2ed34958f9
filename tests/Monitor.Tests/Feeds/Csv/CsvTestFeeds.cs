using System.Text;
using Monitor.Core.Feeds;

namespace Monitor.Tests.Feeds.Csv;

/// <summary>Builds feed sources for the CSV/register/detector/gzip tests and collects what parsers yield.</summary>
internal static class CsvTestFeeds
{
    public static FeedSource Text(string name, string content, bool bom = false)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        return FeedSource.FromBytes(name, bom ? [.. Encoding.UTF8.GetPreamble(), .. bytes] : bytes);
    }

    /// <summary>A source whose streams cannot seek or report a length, like a blob download.</summary>
    public static FeedSource NonSeekable(string name, byte[] content) =>
        new(name, _ => Task.FromResult<Stream>(new ForwardOnlyStream(new MemoryStream(content, writable: false))));

    public static async Task<List<FeedEntry>> CollectAsync(IAsyncEnumerable<FeedEntry> entries)
    {
        var list = new List<FeedEntry>();
        await foreach (var entry in entries)
        {
            list.Add(entry);
        }

        return list;
    }

    public static Task<List<FeedEntry>> ParseCsvAsync(string content, FeedLimits? limits = null, bool bom = false) =>
        CollectAsync(CsvFeedParser.ParseAsync(Text("feed.csv", content, bom), limits ?? new FeedLimits(), CancellationToken.None));

    public static Task<List<FeedEntry>> ParseRegisterAsync(string name, string content, FeedLimits? limits = null) =>
        CollectAsync(RequestRegisterParser.ParseAsync(Text(name, content), limits ?? new FeedLimits(), CancellationToken.None));

    /// <summary>The public sample feeds, read where they lie (see <see cref="Infrastructure.RepoPaths.SharedSamples"/>).</summary>
    public static string SharedSamplesDirectory() => Infrastructure.RepoPaths.SharedSamples;

    private sealed class ForwardOnlyStream(Stream inner) : Stream
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

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
