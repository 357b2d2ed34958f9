using System.Text;
using Monitor.Core.Feeds;

namespace Monitor.Tests.Feeds;

/// <summary>Regression: the gzip sniffing wrapper once returned only its 2 peeked bytes first, which hid a UTF-8 BOM.</summary>
public sealed class GuardedStreamBomTests
{
    [Fact]
    public async Task A_bom_csv_read_through_the_guard_keeps_its_header()
    {
        var content = "\uFEFFID;Reported_At;Kind\nS1;2026-11-18T01:00:00Z;response\n";
        var source = GzipGuard.Decompressing(FeedSource.FromBytes("semicolon.csv", new UTF8Encoding(false).GetBytes(content)), new FeedLimits());

        var entries = new List<FeedEntry>();
        await foreach (var entry in CsvFeedParser.ParseAsync(source, new FeedLimits(), CancellationToken.None))
        {
            entries.Add(entry);
        }

        var record = Assert.IsType<FeedRecord>(Assert.Single(entries));
        Assert.Equal(("S1", "response"), (record.RecordId, record.Kind));
    }
}
