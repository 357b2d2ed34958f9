using System.Text;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;

namespace Monitor.Tests.Feeds.Json;

/// <summary>Feed sources, parser runs and sample-file lookup for the JSON, STIX and MISP parser tests.</summary>
internal static class JsonTestFeeds
{
    public static FeedSource Text(string name, string content) => FeedSource.FromBytes(name, Encoding.UTF8.GetBytes(content));

    /// <summary>A source whose streams cannot seek and hand out at most a few bytes per read, like a slow download.</summary>
    public static FeedSource Trickle(string name, string content, int bytesPerRead = 7) =>
        new(name, _ => Task.FromResult<Stream>(new TrickleStream(Encoding.UTF8.GetBytes(content), bytesPerRead)));

    public static async Task<List<FeedEntry>> CollectAsync(IAsyncEnumerable<FeedEntry> entries)
    {
        var list = new List<FeedEntry>();
        await foreach (var entry in entries)
        {
            list.Add(entry);
        }

        return list;
    }

    public static Task<List<FeedEntry>> ArrayAsync(string json, FeedLimits? limits = null) =>
        CollectAsync(JsonFeedParser.ParseArrayAsync(Text("feed.json", json), limits ?? new FeedLimits(), CancellationToken.None));

    public static Task<List<FeedEntry>> NdjsonAsync(string text, FeedLimits? limits = null) =>
        CollectAsync(JsonFeedParser.ParseNdjsonAsync(Text("feed.ndjson", text), limits ?? new FeedLimits(), CancellationToken.None));

    public static Task<List<FeedEntry>> StixAsync(string json, FeedLimits? limits = null) =>
        CollectAsync(StixBundleParser.ParseAsync(Text("bundle.json", json), limits ?? new FeedLimits(), CancellationToken.None));

    public static Task<List<FeedEntry>> MispAsync(string json, FeedLimits? limits = null) =>
        CollectAsync(MispEventParser.ParseAsync(Text("event.json", json), limits ?? new FeedLimits(), CancellationToken.None));

    public static List<FeedRecord> Records(this IEnumerable<FeedEntry> entries) => entries.OfType<FeedRecord>().ToList();

    public static List<FeedRejection> Rejections(this IEnumerable<FeedEntry> entries) => entries.OfType<FeedRejection>().ToList();

    public static FeedRecord Record(this IEnumerable<FeedEntry> entries, string recordId) =>
        Assert.Single(entries.OfType<FeedRecord>(), r => r.RecordId == recordId);

    public static List<string> Values(this FeedRecord record) => record.Indicators.Select(i => i.Value).ToList();

    public static bool Has(this FeedRecord record, string value, IndicatorType? hint) =>
        record.Indicators.Contains(new RawIndicator(value, hint));

    /// <summary>JSON with single quotes for readability: every ' becomes ". Tests that need a ' in the JSON write \u0027.</summary>
    public static string Q(string json) => json.Replace('\'', '"');

    /// <summary>A folder of the public sample feeds, read where they lie (see <see cref="Infrastructure.RepoPaths.SharedSamples"/>).</summary>
    public static string SharedSamples(string subfolder)
    {
        var folder = Path.Combine(Infrastructure.RepoPaths.SharedSamples, subfolder);
        return Directory.Exists(folder) ? folder : throw new DirectoryNotFoundException($"The shared sample folder '{folder}' does not exist");
    }

    public static FeedSource Sample(string subfolder, string file)
    {
        var path = Path.Combine(SharedSamples(subfolder), file);
        Assert.True(File.Exists(path), $"sample {path} is missing");
        return FeedSource.FromFile(path);
    }

    private sealed class TrickleStream(byte[] content, int bytesPerRead) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, bytesPerRead), content.Length - _position);
            Array.Copy(content, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
