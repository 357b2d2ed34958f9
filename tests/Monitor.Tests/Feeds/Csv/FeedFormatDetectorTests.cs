using System.Text;
using Monitor.Core.Feeds;
using Xunit;
using static Monitor.Tests.Feeds.Csv.CsvTestFeeds;

namespace Monitor.Tests.Feeds.Csv;

public sealed class FeedFormatDetectorTests
{
    private const string StixBundle = """
        {
          "type": "bundle",
          "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
          "objects": [
            {
              "type": "indicator",
              "spec_version": "2.1",
              "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
              "created": "2026-11-16T08:00:00.000Z",
              "modified": "2026-11-16T08:00:00.000Z",
              "pattern": "[ipv4-addr:value = '198.51.100.7']",
              "pattern_type": "stix",
              "valid_from": "2026-11-16T08:00:00Z"
            }
          ]
        }
        """;

    private const string MispEvent = """
        {
          "Event": {
            "id": "1",
            "info": "Response to REQ-2026-0001",
            "threat_level_id": "2",
            "uuid": "5c066053-0e94-46eb-9746-4b7d950d210f",
            "Attribute": [ { "type": "ip-dst", "value": "198.51.100.7", "category": "Network activity", "to_ids": true } ]
          }
        }
        """;

    public static TheoryData<string, string, FeedFormat, string> Cases => new()
    {
        { "feed.json", StixBundle, FeedFormat.Stix, "content: STIX bundle (\"type\":\"bundle\")" },
        // Keys sorted alphabetically put "type" last, maybe past the prefix; the bundle id still tells.
        { "feed.json", "{\"id\": \"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\", \"objects\": [", FeedFormat.Stix, "content: STIX bundle (\"id\":\"bundle--…\")" },
        { "x.json", "{\"objects\": [{\"spec_version\": \"2.1\", \"type\": \"indicator\"}]}", FeedFormat.Stix, "content: STIX bundle (\"objects\" with \"spec_version\")" },
        { "x.json", "{\"objects\": [{\"id\": \"malware--16f4f3f9-1b68-4abb-bb66-7639d49f1e30\", \"type\": \"malware\"}]}", FeedFormat.Stix, "content: STIX bundle (\"objects\" of STIX objects (\"malware--…\"))" },
        { "feed.txt", "[" + StixBundle + "]", FeedFormat.Stix, "content: STIX bundle in an array (\"type\":\"bundle\")" },
        { "event.json", MispEvent, FeedFormat.Misp, "content: MISP event (\"Event\")" },
        { "events.json", "[" + MispEvent + "," + MispEvent + "]", FeedFormat.Misp, "content: MISP events in an array (\"Event\")" },
        { "search.json", "{\"response\": [" + MispEvent + "]}", FeedFormat.Misp, "content: MISP search result (\"response\")" },
        { "event.json", "{\"info\": \"x\", \"threat_level_id\": \"1\", \"uuid\": \"5758ebf5-c898-48e6-9fe9-5665c0a83866\"}", FeedFormat.Misp, "content: MISP event without its \"Event\" wrapper (\"info\" with attributes)" },
        { "feed.ndjson", "{\"record_id\": \"INC-1\"}\n{\"record_id\": \"INC-2\"}\n", FeedFormat.Ndjson, "content: NDJSON (one JSON object per line)" },
        { "feed.json", "{\"record_id\": \"INC-1\"}\r\n\r\n  {\"record_id\": \"INC-2\"}", FeedFormat.Ndjson, "content: NDJSON (one JSON object per line)" },
        { "feed.jsonl", "{\"record_id\": \"INC-1\"}\n", FeedFormat.Ndjson, "content: one JSON object on one line, extension .jsonl" },
        { "feed.json", "{\"record_id\": \"INC-1\"}\n", FeedFormat.Json, "content: JSON object" },
        { "feed.ndjson", "{\n  \"records\": [{\"record_id\": \"INC-1\"}]\n}\n", FeedFormat.Json, "content: JSON object" },
        { "feed.ndjson", "[{\"record_id\": \"INC-1\"}]", FeedFormat.Json, "content: JSON array" },
        { "feed.json", "record_id,summary\nINC-1,x\n", FeedFormat.Csv, "content: text, not JSON" },
        { "feed", "\uFEFF  \r\n  [ {\"record_id\": \"INC-1\"} ]", FeedFormat.Json, "content: JSON array" },
        { "feed.tsv", "   \n\t\n", FeedFormat.Csv, "extension .tsv" },
        { "feed.ndjson.gz", "\n", FeedFormat.Ndjson, "extension .ndjson" },
        { "feed.misp", "  ", FeedFormat.Misp, "extension .misp" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Detects_the_format_from_content_then_extension(string name, string content, FeedFormat format, string reason)
    {
        var detected = await FeedFormatDetector.DetectAsync(Text(name, content), CancellationToken.None);

        Assert.Equal((format, reason), detected);
    }

    [Fact]
    public async Task A_first_object_bigger_than_the_prefix_falls_back_to_the_extension()
    {
        var line = "{\"record_id\": \"INC-1\", \"summary\": \"" + new string('x', FeedFormatDetector.PrefixBytes) + "\"}\n";

        Assert.Equal(FeedFormat.Ndjson, (await FeedFormatDetector.DetectAsync(Text("feed.ndjson", line + line), CancellationToken.None)).Format);
        Assert.Equal(FeedFormat.Json, (await FeedFormatDetector.DetectAsync(Text("feed.json", line + line), CancellationToken.None)).Format);
    }

    [Fact]
    public async Task A_stix_key_far_down_a_long_file_is_found_by_the_bundle_id_at_the_top()
    {
        var objects = string.Join(",", Enumerable.Range(0, 2000).Select(i => $"{{\"id\": \"indicator--{Guid.Empty}\", \"type\": \"indicator\", \"n\": {i}}}"));
        var content = $"{{\"id\": \"bundle--{Guid.Empty}\", \"objects\": [{objects}], \"type\": \"bundle\"}}";

        Assert.True(content.Length > FeedFormatDetector.PrefixBytes);
        Assert.Equal(FeedFormat.Stix, (await FeedFormatDetector.DetectAsync(Text("x.json", content), CancellationToken.None)).Format);
    }

    [Fact]
    public async Task An_empty_file_is_a_format_error()
    {
        var error = await Assert.ThrowsAsync<FeedFormatException>(() => FeedFormatDetector.DetectAsync(Text("feed.csv", ""), CancellationToken.None));

        Assert.Equal("empty file", error.Message);
        Assert.Equal("byte 0", error.Location);
    }

    [Fact]
    public async Task A_blank_file_with_an_unknown_extension_is_a_format_error()
    {
        var error = await Assert.ThrowsAsync<FeedFormatException>(() => FeedFormatDetector.DetectAsync(Text("feed.dat", " \n "), CancellationToken.None));

        Assert.Equal("byte 3", error.Location);
    }

    public static TheoryData<string, FeedFormat> SharedSamples => new()
    {
        { "stix/indicator-for-malicious-URL.json", FeedFormat.Stix },
        { "stix/indicator-to-campaign-relationship.json", FeedFormat.Stix },
        { "stix/infrastructure.json", FeedFormat.Stix },
        { "stix/malware-indicator-for-file-hash.json", FeedFormat.Stix },
        { "misp/event_obj_attr_tag.json", FeedFormat.Misp },
        { "misp/mainly_objects_1.json", FeedFormat.Misp },
        { "misp/misp_event.json", FeedFormat.Misp },
    };

    [Theory]
    [MemberData(nameof(SharedSamples))]
    public async Task The_published_sample_files_are_recognised(string relativePath, FeedFormat format)
    {
        var path = Path.Combine(SharedSamplesDirectory(), relativePath);

        var (detected, reason) = await FeedFormatDetector.DetectAsync(FeedSource.FromFile(path), CancellationToken.None);

        Assert.Equal(format, detected);
        Assert.StartsWith("content: ", reason);
    }

    [Fact]
    public async Task Detection_reads_through_gzip_by_magic_under_a_name_without_gz()
    {
        var compressed = GzipGuardTests.Gzip(Encoding.UTF8.GetBytes(StixBundle));
        var source = GzipGuard.Decompressing(FeedSource.FromBytes("upload.bin", compressed), new FeedLimits());

        Assert.Equal(FeedFormat.Stix, (await FeedFormatDetector.DetectAsync(source, CancellationToken.None)).Format);
    }
}
