using System.Text.RegularExpressions;
using Monitor.Core;
using Monitor.Core.Config;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Monitor.Tests.Infrastructure;
using Xunit;

namespace Monitor.Tests.Feeds;

/// <summary>
/// Small files of this project's own, in the layouts public threat-intel exports use (Feeds/Samples), read unedited:
/// each test names the exact records, their times, IDs and indicators, and what the run is told was not used.
/// </summary>
public sealed class PublishedExportTests
{
    private static string Sample(string name) => Path.Combine(RepoPaths.Root, "tests", "Monitor.Tests", "Feeds", "Samples", name);

    private static async Task<List<FeedEntry>> ReadAsync(string name, SourceFormat? format = null)
    {
        var source = FeedSource.FromFile(Sample(name));
        var (detected, _) = await FeedFormatDetector.DetectAsync(source, CancellationToken.None);
        var entries = new List<FeedEntry>();
        await foreach (var entry in FeedParsers.ParseIncidentsAsync(source, detected, new FeedLimits(), format, CancellationToken.None))
        {
            entries.Add(entry);
        }
        return entries;
    }

    private static string Normalized(RawIndicator raw) =>
        IndicatorNormalizer.TryNormalize(raw, out var indicator, out var error) ? indicator.ToString() : $"error: {error}";

    private static DateTimeOffset Utc(int day, int hour, int minute) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_banner_and_a_commented_header_are_read_as_urlhaus_writes_them()
    {
        var entries = await ReadAsync("urlhaus-style.csv");

        Assert.Equal("columns not used: url_status, last_online, urlhaus_link", Assert.IsType<FeedNotice>(entries[0]).Message);
        var records = entries.OfType<FeedRecord>().ToList();
        Assert.Equal(["700001", "700002"], records.Select(r => r.RecordId));
        Assert.Equal(["line 7", "line 8"], records.Select(r => r.Location));
        Assert.Equal([Utc(19, 10, 0), Utc(19, 11, 30)], records.Select(r => r.ReportedAt!.Value));
        Assert.Equal(["url:http://dl.test-a.example/p.exe"], records[0].Indicators.Select(Normalized));
        Assert.Equal(["url:http://other.test-b.example/x"], records[1].Indicators.Select(Normalized));
        Assert.Equal("malware_download", records[0].Summary);
        Assert.Equal(["exe,REQ-7"], records[0].ReferenceText);
        Assert.Equal("tester", records[0].Reporter);
        Assert.Empty(records[0].RequestRefs);
    }

    [Fact]
    public async Task A_banner_with_the_real_header_deeper_down_is_read_as_feodo_writes_it()
    {
        var entries = await ReadAsync("feodo-style.csv");

        Assert.Equal("columns not used: dst_port, c2_status, last_online", Assert.IsType<FeedNotice>(entries[0]).Message);
        var records = entries.OfType<FeedRecord>().ToList();
        Assert.Equal(["line 10", "line 11"], records.Select(r => r.Location));
        Assert.Equal([Utc(18, 7, 0), Utc(18, 8, 0)], records.Select(r => r.ReportedAt!.Value));
        Assert.Equal(["ip:198.51.100.23"], records[0].Indicators.Select(Normalized));
        Assert.Equal(["ip:203.0.113.99"], records[1].Indicators.Select(Normalized));
        Assert.All(records, r => Assert.StartsWith("content-", r.RecordId));
    }

    [Fact]
    public async Task Quoted_fields_after_a_comma_and_a_space_are_read_as_threatfox_writes_them()
    {
        var entries = await ReadAsync("threatfox-style.csv");

        var records = entries.OfType<FeedRecord>().ToList();
        Assert.Equal(["5001", "5002"], records.Select(r => r.RecordId));
        Assert.Equal([Utc(19, 6, 0), Utc(19, 6, 5)], records.Select(r => r.ReportedAt!.Value));
        Assert.Equal(["ip:192.0.2.77"], records[0].Indicators.Select(Normalized));
        Assert.Equal(["domain:c2.test-c.example"], records[1].Indicators.Select(Normalized));
        Assert.Equal("Example", records[0].Summary);
        Assert.Equal(["https://blog.example/post", "c2"], records[1].ReferenceText);
        Assert.Empty(entries.OfType<FeedRejection>());
    }

    [Fact]
    public async Task A_headerless_daily_csv_is_read_by_content_with_stable_ids()
    {
        var entries = await ReadAsync("headerless-daily.csv");
        var again = await ReadAsync("headerless-daily.csv");

        Assert.StartsWith("no header line: each record is read by content", Assert.IsType<FeedNotice>(entries[0]).Message);
        var records = entries.OfType<FeedRecord>().ToList();
        Assert.Equal(["line 1", "line 2"], records.Select(r => r.Location));
        Assert.Equal([Utc(19, 9, 0), Utc(19, 9, 5)], records.Select(r => r.ReportedAt!.Value));
        Assert.Equal(["url:http://dl.test-a.example/p.exe", "url:https://social.example/someone/status/1"], records[0].Indicators.Select(Normalized));
        Assert.Equal(["sha256:5f1e3c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f", "url:https://social.example/someone/status/2"], records[1].Indicators.Select(Normalized));
        Assert.Equal(records.Select(r => r.RecordId), again.OfType<FeedRecord>().Select(r => r.RecordId));
        Assert.Equal(2, records.Select(r => r.RecordId).Distinct().Count());
    }

    [Fact]
    public async Task A_source_format_names_the_columns_of_a_headerless_file_and_its_zone()
    {
        var format = new SourceFormat
        {
            Header = false,
            TimeZone = NodaTime.DateTimeZoneProviders.Tzdb["Asia/Shanghai"],
            Time = new ColumnRef(null, 1),
            Indicators = [new IndicatorColumn(new ColumnRef(null, 4), null)],
        };

        var records = (await ReadAsync("headerless-daily.csv", format)).OfType<FeedRecord>().ToList();

        Assert.Equal([Utc(19, 1, 0), Utc(19, 1, 5)], records.Select(r => r.ReportedAt!.Value));
        Assert.Equal(["url:http://dl.test-a.example/p.exe"], records[0].Indicators.Select(Normalized));
        Assert.Equal(["sha256:5f1e3c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"], records[1].Indicators.Select(Normalized));
    }

    [Fact]
    public async Task Threatfox_api_lines_read_ioc_type_and_utc_times()
    {
        var entries = await ReadAsync("threatfox-api.ndjson");

        var records = entries.OfType<FeedRecord>().ToList();
        Assert.Equal(["9001", "9002"], records.Select(r => r.RecordId));
        Assert.Equal([Utc(19, 6, 0), Utc(19, 6, 5)], records.Select(r => r.ReportedAt!.Value));
        Assert.Equal(["ip:192.0.2.77"], records[0].Indicators.Select(Normalized));
        Assert.Equal(["domain:c2.test-c.example"], records[1].Indicators.Select(Normalized));
        Assert.Equal(["https://blog.example/post"], records[0].ReferenceText);
        Assert.Equal("properties not used: confidence_level (2 records), threat_type (2 records)", Assert.IsType<FeedNotice>(entries[^1]).Message);
    }

    [Theory]
    [InlineData("threatfox-export.json", "content-")]
    [InlineData("threatfox-api-response.json", "900")]
    public async Task Threatfox_json_wrapped_in_an_object_is_read(string file, string idStart)
    {
        var entries = await ReadAsync(file);

        var records = entries.OfType<FeedRecord>().ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.StartsWith(idStart, r.RecordId));
        Assert.Equal([Utc(19, 6, 0), Utc(19, 6, 5)], records.Select(r => r.ReportedAt!.Value));
        Assert.Equal(["ip:192.0.2.77"], records[0].Indicators.Select(Normalized));
        Assert.Equal(["domain:c2.test-c.example"], records[1].Indicators.Select(Normalized));
        Assert.Equal("Example", records[1].Summary);
        Assert.Empty(entries.OfType<FeedRejection>());
    }

    [Fact]
    public async Task Otx_lines_without_a_time_read_the_indicator_typed_by_type()
    {
        var entries = await ReadAsync("otx-indicators.ndjson");

        var records = entries.OfType<FeedRecord>().ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Null(r.ReportedAt));
        Assert.Equal(["ip:198.51.100.23"], records[0].Indicators.Select(Normalized));
        Assert.Equal(["domain:c2.test-c.example"], records[1].Indicators.Select(Normalized));
        Assert.Empty(records[2].Indicators);
        Assert.Equal(["indicator type 'Mutex' is not one this system matches: the record's value was not read"], records[2].Warnings);
        Assert.All(records, r => Assert.Null(r.Kind));
        Assert.Equal(records.Select(r => r.RecordId), (await ReadAsync("otx-indicators.ndjson")).OfType<FeedRecord>().Select(r => r.RecordId));
    }

    [Fact]
    public async Task A_dropped_misp_manifest_is_named_as_a_feed_index()
    {
        var entries = await ReadAsync("manifest.json");

        var notice = Assert.IsType<FeedNotice>(Assert.Single(entries));
        Assert.StartsWith("this is a MISP feed index (manifest.json)", notice.Message);
        Assert.Contains("monitor pull", notice.Message);
    }

    [Fact]
    public async Task An_attack_style_bundle_gives_no_records_and_its_ids_are_not_request_ids()
    {
        var entries = await ReadAsync("attack-style-bundle.json");

        var notice = Assert.IsType<FeedNotice>(Assert.Single(entries));
        Assert.Equal("4 STIX objects of types that hold no indicators were not read: attack-pattern ×2, course-of-action ×1, x-mitre-tactic ×1", notice.Message);
        var pattern = new Regex(new MonitorOptions().RequestIdPattern);
        Assert.Empty(pattern.Matches("Cites APP-0, ECO-12, CVE-2026-0001, CWE-79, CAPEC-66, T1059, T1204.002 and TA0002."));
        Assert.Equal(["P-01", "CN-2026-0042"], pattern.Matches("P-01 and CN-2026-0042").Select(m => m.Value));
    }

    [Theory]
    [InlineData("2026-11-19 06:00:00 UTC", "2026-11-19T06:00:00+00:00")]
    [InlineData("2026-11-19 06:00:00", "2026-11-19T06:00:00+00:00")]
    [InlineData("2026-11-19T06:00:00Z", "2026-11-19T06:00:00+00:00")]
    [InlineData("2026-11-19T14:00:00+08:00", "2026-11-19T14:00:00+08:00")]
    [InlineData("1795068000", "2026-11-19T06:00:00+00:00")]
    public void Feed_times_are_read_as_exports_write_them(string text, string expected)
    {
        Assert.True(FeedFieldParsing.TryParseFeedTime("t", text, null, out var parsed, out var error), error);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }

    [Theory]
    [InlineData("Seen at hxxp://evil.test-d[.]example/a and 192.0.2.5 on 2026-11-19, v1.2.3 of setup.exe", "url:http://evil.test-d.example/a", "ip:192.0.2.5")]
    [InlineData("version 10.0.19041 and 3.14 and plain words", null, null)]
    public void Freetext_takes_indicators_and_leaves_dates_versions_and_words(string text, string? first, string? second)
    {
        var found = FreetextIndicators.Extract(text).Select(Normalized).ToList();

        Assert.Equal(new[] { first, second }.OfType<string>(), found);
    }
}
