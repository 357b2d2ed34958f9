using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Feeds;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;

namespace Monitor.Tests.Hardening;

/// <summary>
/// Hostile files dropped beside a good one, through the real ingest path against Azurite: each is quarantined or its bad
/// records rejected, with the reason, and the good file of the same run gives exactly its rows.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private const int TenMegabytes = 10 * 1024 * 1024;
    private const string FeedHeader = "record_id,reported_at,reporter,kind,request_refs,indicators,summary";
    private readonly HostileDropZone _zone = new();

    public async Task InitializeAsync() => await _zone.PutGoodFilesAsync();

    public async Task DisposeAsync() => await _zone.DisposeAsync();

    private static string Row(string id, string summary = "ok") => $"{id},2026-11-18T00:00:00Z,US,status-update,T-200,,{summary}";

    private static string JsonRecord(string id, string summaryJson = "\"ok\"") =>
        $$"""{"record_id":"{{id}}","reported_at":"2026-11-18T00:00:00Z","reporter":"US","kind":"status-update","request_refs":"T-200","summary":{{summaryJson}}}""";

    [Fact]
    public async Task Gzip_bomb_is_quarantined_before_any_of_its_rows_is_written()
    {
        // Ten valid rows that reference T-200, then a 256 MB field of one repeated byte: about 1000:1, far past the ratio limit.
        var bomb = new MemoryStream();
        await using (var gzip = new GZipStream(bomb, CompressionLevel.Optimal, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', [FeedHeader, .. Enumerable.Range(0, 10).Select(i => Row($"B{i}"))]) + "\nB10,2026-11-18T00:00:00Z,US,status-update,T-200,,"));
            var block = new byte[1 << 20];
            Array.Fill(block, (byte)'x');
            for (var i = 0; i < 256; i++)
            {
                await gzip.WriteAsync(block);
            }
        }
        Assert.True(bomb.Length < 1 << 20, $"the bomb compressed to {bomb.Length} bytes");
        await _zone.PutAsync("incidents/liaison-us/bomb.csv.gz", bomb.ToArray());

        await _zone.RunOnceAsync();

        await _zone.AssertQuarantinedAsync("incidents/liaison-us/bomb.csv.gz", "over the limit ratio of 200");
        Assert.Empty(await _zone.EventsOfT200Async());
        Assert.DoesNotContain(await _zone.Test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable), m => m.RequestId == "T-200");
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    /// <summary>A .csv.gz cut off in transfer: before, its first rows were read and the cut row rejected, as if the file were whole.</summary>
    [Fact]
    public async Task Truncated_gzip_is_quarantined_whole_with_none_of_its_rows_written()
    {
        var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', [FeedHeader, .. Enumerable.Range(0, 400).Select(i => Row($"C{i}", $"summary number {i * 7919 % 10007}"))]) + "\n"));
        }
        var whole = compressed.ToArray();
        await _zone.PutAsync("incidents/liaison-us/cut.csv.gz", whole[..(whole.Length / 2)]);

        await _zone.RunOnceAsync();

        var run = await _zone.AssertQuarantinedAsync("incidents/liaison-us/cut.csv.gz", "truncated gzip");
        Assert.Equal(0, run.Records);
        Assert.Equal(0, run.Rejects);
        Assert.Empty(await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    /// <summary>Before: a screenshot or a spreadsheet was blamed as "not valid UTF-8: save the file as UTF-8".</summary>
    [Fact]
    public async Task A_png_or_a_zip_is_quarantined_as_what_it_appears_to_be()
    {
        await _zone.PutAsync("incidents/liaison-us/screenshot.csv", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R']);
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = archive.CreateEntry("sheet1.xml").Open();
            await entry.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', [FeedHeader, Row("Z1")])));
        }
        await _zone.PutAsync("incidents/liaison-us/export.xlsx", zip.ToArray());

        await _zone.RunOnceAsync();

        var png = await _zone.AssertQuarantinedAsync("incidents/liaison-us/screenshot.csv", "the file appears to be a PNG image, not a feed");
        Assert.DoesNotContain("UTF-8", png.Error);
        var xlsx = await _zone.AssertQuarantinedAsync("incidents/liaison-us/export.xlsx", "the file appears to be a ZIP archive (an .xlsx or .docx file is one)");
        Assert.Contains("export the sheet as CSV", xlsx.Error);
        Assert.Empty(await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Fact]
    public async Task Feed_larger_than_the_limit_is_quarantined_whole_even_when_gzip_hides_its_size()
    {
        await using var zone = new HostileDropZone(new Dictionary<string, string?> { ["Feeds:MaxFeedBytes"] = $"{2 << 20}" });
        await zone.PutGoodFilesAsync();
        // 3 MB of rows, compressed to well under the limit and under the ratio allowance: only the inflated size breaks it.
        var rows = string.Join('\n', Enumerable.Range(0, 60_000).Select(i => Row($"G{i}", $"summary number {i}")));
        var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(FeedHeader + "\n" + rows));
        }
        Assert.True(compressed.Length < 1 << 20, $"{compressed.Length}");
        await zone.PutAsync("incidents/liaison-us/big.csv.gz", compressed.ToArray());
        await zone.PutAsync("incidents/liaison-us/big.csv", FeedHeader + "\n" + rows);

        await zone.RunOnceAsync();

        await zone.AssertQuarantinedAsync("incidents/liaison-us/big.csv.gz", $"larger than the limit of {2 << 20} bytes");
        await zone.AssertQuarantinedAsync("incidents/liaison-us/big.csv", $"above the limit of {2 << 20}");
        Assert.Empty(await zone.EventsOfT200Async());
        await zone.AssertGoodFileUnaffectedAsync();
    }

    [Fact]
    public async Task Ten_megabyte_csv_line_is_rejected_and_the_rows_around_it_are_kept()
    {
        var feed = string.Join('\n', FeedHeader, Row("H1"), Row("H2", new string('x', TenMegabytes)), Row("H3"));
        await _zone.PutAsync("incidents/liaison-us/long.csv", feed);

        await _zone.RunOnceAsync();

        await _zone.AssertRejectedAsync("incidents/liaison-us/long.csv", "line 3", "larger than the limit of 1048576");
        Assert.Equal(["H1", "H3"], await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Fact]
    public async Task Ten_megabyte_ndjson_line_is_rejected_and_the_lines_around_it_are_kept()
    {
        var feed = string.Join('\n', JsonRecord("H1"), JsonRecord("H2", $"\"{new string('x', TenMegabytes)}\""), JsonRecord("H3"));
        await _zone.PutAsync("incidents/liaison-us/long.ndjson", feed);

        await _zone.RunOnceAsync();

        await _zone.AssertRejectedAsync("incidents/liaison-us/long.ndjson", "line 2", "larger than the limit of 1048576");
        Assert.Equal(["H1", "H3"], await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Fact]
    public async Task Ten_megabyte_register_line_is_rejected_and_the_other_requests_load()
    {
        var register = string.Join('\n',
            "request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators",
            $"T-300,US,CN,investigation,high,2026-11-16T09:00:00Z,{new string('y', TenMegabytes)},",
            "T-400,US,CN,investigation,low,2026-11-16T09:00:00Z,fine,");
        await _zone.PutAsync("requests/long.csv", register);

        await _zone.RunOnceAsync();

        await _zone.AssertRejectedAsync("requests/long.csv", "line 2", "larger than the limit of 1048576");
        var requests = await _zone.Test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable);
        Assert.Equal(["T-100", "T-200", "T-400"], requests.Select(r => r.RequestId).Order(StringComparer.Ordinal));
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Theory]
    [InlineData("json", "$[1]")]
    [InlineData("ndjson", "line 2")]
    public async Task Deeply_nested_record_is_rejected_and_the_others_are_kept(string format, string location)
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);
        string[] records = [JsonRecord("H1"), JsonRecord("H2", deep), JsonRecord("H3")];
        var feed = format == "json" ? $"[{string.Join(",\n", records)}]" : string.Join('\n', records);
        var blob = $"incidents/liaison-us/deep.{format}";
        await _zone.PutAsync(blob, feed);

        await _zone.RunOnceAsync();

        var rejects = await _zone.AssertRejectedAsync(blob, location, format == "json" ? "nested deeper than the limit of 64" : "depth");
        Assert.Single(rejects);
        Assert.Equal(["H1", "H3"], await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Fact]
    public async Task Deeply_nested_register_record_is_rejected()
    {
        var register = $$"""
            [{"request_id":"T-300","requesting_party":"US","responding_party":"CN","category":"x","priority":"low","submitted_at":"2026-11-16T09:00:00Z","summary":{{new string('[', 5000) + new string(']', 5000)}}},
             {"request_id":"T-400","requesting_party":"US","responding_party":"CN","category":"x","priority":"low","submitted_at":"2026-11-16T09:00:00Z"}]
            """;
        await _zone.PutAsync("requests/deep.json", register);

        await _zone.RunOnceAsync();

        await _zone.AssertRejectedAsync("requests/deep.json", "$[0]", "deeper than the limit of 64");
        var requests = await _zone.Test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable);
        Assert.Equal(["T-100", "T-200", "T-400"], requests.Select(r => r.RequestId).Order(StringComparer.Ordinal));
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Theory]
    [InlineData("incidents/liaison-us/latin1.csv", "csv")]
    [InlineData("incidents/liaison-us/latin1.json", "json")]
    [InlineData("incidents/liaison-us/latin1.ndjson", "ndjson")]
    [InlineData("requests/latin1.csv", "register")]
    public async Task Content_that_is_not_utf8_is_quarantined_with_where_it_breaks(string blob, string format)
    {
        // "é" as Windows-1252/Latin-1 writes it (0xE9): not UTF-8. The file is in the wrong encoding, so none of it is trusted.
        var text = format switch
        {
            "csv" => string.Join('\n', FeedHeader, Row("H1"), Row("H2", "caf\u00e9")),
            "json" => $"[{JsonRecord("H1")},\n{JsonRecord("H2", "\"caf\u00e9\"")}]",
            "ndjson" => string.Join('\n', JsonRecord("H1"), JsonRecord("H2", "\"caf\u00e9\"")),
            _ => "request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators\nT-300,US,CN,x,low,2026-11-16T09:00:00Z,caf\u00e9,",
        };
        await _zone.PutAsync(blob, Encoding.Latin1.GetBytes(text));

        await _zone.RunOnceAsync();

        var run = await _zone.AssertQuarantinedAsync(blob, "not valid UTF-8");
        // The header is line 1 of a CSV, so the second record is on line 3 there and on line 2 elsewhere.
        Assert.Contains(format == "csv" ? "line 3" : "line 2", run.Error);
        Assert.Empty(await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Theory]
    [InlineData("incidents/liaison-us/bad\uFFFDname.csv", "U+FFFD")]
    [InlineData("incidents/liaison-us/spoof\u202Etxt.csv", "U+202E")]
    [InlineData("incidents/liaison us/space.csv", "source folder")]
    [InlineData("incidents/liaison-us//double.csv", "empty")]
    [InlineData("elsewhere/feed.csv", "not under requests/ or incidents/")]
    public async Task Blob_with_an_invalid_name_is_quarantined_not_processed(string blob, string reason)
    {
        await _zone.PutAsync(blob, string.Join('\n', FeedHeader, Row("H1")));

        await _zone.RunOnceAsync();

        await _zone.AssertQuarantinedAsync(blob, reason);
        Assert.Empty(await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Theory]
    [InlineData("incidents/liaison-us/ctl\u0001name.csv")]
    [InlineData("incidents/liaison-us/tab\tname.csv")]
    public async Task Blob_name_with_control_characters_is_quarantined_not_processed(string blob)
    {
        // Azurite cannot list a container holding such a name (its XML listing breaks; Azure encodes the name), so this
        // drives the ingestor as the Event Grid trigger does: one call per blob.
        await _zone.PutAsync(blob, string.Join('\n', FeedHeader, Row("H1")));
        var ingestor = _zone.Test.Services.GetRequiredService<FeedIngestor>();

        await ingestor.IngestAsync(HostileDropZone.RegisterBlob, CancellationToken.None);
        await ingestor.IngestAsync(HostileDropZone.GoodFeedBlob, CancellationToken.None);
        await ingestor.IngestAsync(blob, CancellationToken.None);
        await _zone.Test.Services.GetRequiredService<OverdueSweeper>().SweepAsync(HostileDropZone.AsOf, CancellationToken.None);

        await _zone.AssertQuarantinedAsync(blob, "control");
        Assert.Empty(await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Fact]
    public async Task Blob_name_with_dot_dot_is_quarantined_without_touching_the_blob_it_would_resolve_to()
    {
        // Resolved the way URLs are, this name is the good feed's: reading it would read (and quarantine) that one instead.
        const string trick = "incidents/liaison-us/../liaison-cn/good.csv";
        await _zone.PutRawNameAsync(trick, string.Join('\n', FeedHeader, Row("E1")));
        await _zone.PutRawNameAsync("requests/./sneaky.csv", "request_id,requesting_party,responding_party,category,priority,submitted_at\nT-900,US,CN,x,low,2026-11-16T09:00:00Z");

        var summary = await _zone.RunOnceAsync();
        var again = await _zone.RunOnceAsync();

        var run = await _zone.AssertQuarantinedAsync(trick, "'..' path segment", copied: false);
        Assert.Contains("not copied", run.Error);
        await _zone.AssertQuarantinedAsync("requests/./sneaky.csv", "path segment", copied: false);
        // The run is keyed by the trick blob's own version, not the good file's, and is final: the next pass skips it.
        var good = await _zone.RunOfAsync(HostileDropZone.GoodFeedBlob);
        Assert.NotEqual(good.BlobETag, run.BlobETag);
        Assert.Equal(4, summary.Feeds.Count);
        Assert.Empty(again.Feeds);
        Assert.DoesNotContain(await _zone.Test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable), r => r.RequestId == "T-900");
        Assert.Empty(await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Fact]
    public async Task Huge_indicator_lists_are_rejected_per_record()
    {
        var many = string.Join(';', Enumerable.Range(0, 1001).Select(i => $"10.9.{i / 256}.{i % 256}"));
        await _zone.PutAsync("incidents/liaison-us/many.csv", string.Join('\n', FeedHeader, Row("H1"), $"H2,2026-11-18T00:00:00Z,US,status-update,T-200,{many},x", Row("H3")));
        var manyJson = string.Join(',', Enumerable.Range(0, 5000).Select(i => $"\"10.8.{i / 256}.{i % 256}\""));
        await _zone.PutAsync("incidents/liaison-us/many.json", $"[{JsonRecord("J1")},{JsonRecord("J2").TrimEnd('}')},\"indicators\":[{manyJson}]}}]");
        await _zone.PutAsync("requests/many.csv", $"request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators\nT-300,US,CN,x,low,2026-11-16T09:00:00Z,s,{many}\nT-400,US,CN,x,low,2026-11-16T09:00:00Z,s,10.1.1.1");

        await _zone.RunOnceAsync();

        await _zone.AssertRejectedAsync("incidents/liaison-us/many.csv", "line 3", "1001 indicators, more than the limit of 1000");
        await _zone.AssertRejectedAsync("incidents/liaison-us/many.json", "$[1]", "5000 indicators, more than the limit of 1000");
        await _zone.AssertRejectedAsync("requests/many.csv", "line 2", "1001 indicators, more than the limit of 1000");
        Assert.Equal(["H1", "H3", "J1"], await _zone.EventsOfT200Async());
        var requests = await _zone.Test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable);
        Assert.Equal(["T-100", "T-200", "T-400"], requests.Select(r => r.RequestId).Order(StringComparer.Ordinal));
        await _zone.AssertGoodFileUnaffectedAsync();
    }
    [Fact]
    public async Task Values_too_long_for_a_table_column_are_refused_before_they_can_fail_the_batch()
    {
        // Each passes the 64 K field limit, but Table Storage holds at most 32 K characters in one column.
        var huge = new string('k', 40_000);
        var longUrl = "http://example.org/" + new string('p', 10_000);
        await _zone.PutAsync("incidents/liaison-us/wide.csv", string.Join('\n', FeedHeader,
            Row("W1"),
            $"{huge},2026-11-18T00:00:00Z,US,status-update,T-200,,s",
            $"W3,2026-11-18T00:00:00Z,US,{huge},T-200,,s",
            $"W4,2026-11-18T00:00:00Z,US,status-update,T-200;{huge},{longUrl},s"));
        var urls = string.Join(';', Enumerable.Range(0, 500).Select(i => $"http://host{i}.example.org/{new string('q', 80)}"));
        await _zone.PutAsync("requests/wide.csv", string.Join('\n',
            "request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators",
            $"T-300,US,CN,{huge},low,2026-11-16T09:00:00Z,s,",
            $"T-400,US,CN,x,low,2026-11-16T09:00:00Z,s,{urls}",
            "T-500,US,CN,x,low,2026-11-16T09:00:00Z,s,10.1.1.1"));

        await _zone.RunOnceAsync();

        await _zone.AssertRejectedAsync("incidents/liaison-us/wide.csv", "line 3", "record_id is 40000 characters, longer than the 1000");
        var rejects = await _zone.AssertRejectedAsync("incidents/liaison-us/wide.csv", "line 4", "kind is 40000 characters, longer than 200");
        Assert.Contains(rejects, r => r.Location == "line 5" && r.Severity == "warning" && r.Reason.Contains("request reference longer than 200", StringComparison.Ordinal));
        Assert.Contains(rejects, r => r.Location == "line 5" && r.Severity == "warning" && r.Reason.Contains("longer than 4096 characters", StringComparison.Ordinal));
        Assert.Equal(["W1", "W4"], await _zone.EventsOfT200Async());
        await _zone.AssertRejectedAsync("requests/wide.csv", "line 2", "category is 40000 characters");
        await _zone.AssertRejectedAsync("requests/wide.csv", "line 3", "more than the 32000 a table column holds");
        var requests = await _zone.Test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable);
        Assert.Equal(["T-100", "T-200", "T-500"], requests.Select(r => r.RequestId).Order(StringComparer.Ordinal));
        Assert.Equal(1, (await _zone.RunOfAsync("requests/wide.csv")).Records);
        await _zone.AssertGoodFileUnaffectedAsync();
    }
}
