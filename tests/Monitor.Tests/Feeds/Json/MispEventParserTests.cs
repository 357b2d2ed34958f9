using System.Text.Json;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Xunit;
using static Monitor.Tests.Feeds.Json.JsonTestFeeds;

namespace Monitor.Tests.Feeds.Json;

public sealed class MispEventParserTests
{
    private static Task<List<FeedEntry>> SampleAsync(string file) =>
        CollectAsync(MispEventParser.ParseAsync(Sample("misp", file), new FeedLimits(), CancellationToken.None));

    [Fact]
    public async Task Every_shared_misp_sample_parses_into_records_without_rejections()
    {
        var files = Directory.GetFiles(SharedSamples("misp"), "*.json");
        Assert.True(files.Length >= 3, $"expected the three PyMISP examples in {SharedSamples("misp")}, found {files.Length}");

        foreach (var file in files)
        {
            var entries = await CollectAsync(MispEventParser.ParseAsync(FeedSource.FromFile(file), new FeedLimits(), CancellationToken.None));

            Assert.True(entries.Rejections().Count == 0, $"{Path.GetFileName(file)}: {string.Join("; ", entries.Rejections().Select(r => $"{r.Location}: {r.Reason}"))}");
            Assert.True(entries.Records().Count > 0, $"{Path.GetFileName(file)} gave no record");
        }
    }

    [Fact]
    public async Task Sample_misp_event_yields_its_url_attribute_and_skips_text()
    {
        var entries = await SampleAsync("misp_event.json");

        var record = Assert.Single(entries.Records());
        Assert.Equal("5758ebf5-c898-48e6-9fe9-5665c0a83866/575c8598-f1f0-4c16-a94a-0612c0a83866", record.RecordId);
        Assert.Equal("$.Attribute[0]", record.Location);
        Assert.Equal([new RawIndicator("http://fake.website.com/malware/is/here", IndicatorType.Url)], record.Indicators);
        Assert.Contains("fake.website.com", record.Indicators[0].Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1465681304), record.ReportedAt);
        Assert.Equal("ORGNAME", record.Reporter);
        Assert.Equal("misp-attribute", record.Kind);
        Assert.Equal("A Random Event", record.Summary);
        Assert.Equal(["A Random Event", "ecsirt:malicious-code=\"ransomware\"", "for_intelmq_processing"], record.ReferenceText);
        Assert.Empty(record.Warnings);
    }

    [Fact]
    public async Task Sample_event_obj_attr_tag_reads_object_attributes_of_an_event_without_uuids()
    {
        var entries = await SampleAsync("event_obj_attr_tag.json");

        var record = Assert.Single(entries.Records());
        Assert.Equal("$.Object[1].Attribute[0]", record.Location);
        Assert.Equal("event/$.Object[1].Attribute[0]", record.RecordId);
        Assert.Equal([new RawIndicator("https://www.circl.lu", IndicatorType.Url)], record.Indicators);
        Assert.Null(record.ReportedAt);
        Assert.Equal(["attribute has neither uuid nor id; its record ID is its JSON path"], record.Warnings);
    }

    [Fact]
    public async Task Sample_mainly_objects_yields_the_hashes_of_object_attributes_and_nothing_for_sizes()
    {
        var entries = await SampleAsync("mainly_objects_1.json");

        var records = entries.Records();
        Assert.Empty(entries.Rejections());
        Assert.Equal(29, records.Count);
        Assert.Equal(14, records.Count(r => r.Indicators[0].Hint == IndicatorType.Md5));
        Assert.Equal(6, records.Count(r => r.Indicators[0].Hint == IndicatorType.Sha1));
        Assert.Equal(6, records.Count(r => r.Indicators[0].Hint == IndicatorType.Sha256));
        Assert.Equal(3, records.Count(r => r.Indicators[0].Hint == IndicatorType.Sha512));
        Assert.All(records, r => Assert.StartsWith("$.Event.Object[", r.Location, StringComparison.Ordinal));

        var md5 = Assert.Single(records, r => r.RecordId == "5c066053-0e94-46eb-9746-4b7d950d210f/44b093a2-d15c-44b5-b76e-83500aa2f718");
        Assert.Equal([new RawIndicator("76bd79f774ae892fd6a30b6463050a91", IndicatorType.Md5)], md5.Indicators);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1543921748), md5.ReportedAt);
        Assert.Equal("CIRCL", md5.Reporter);
        Assert.Equal("MAR-10164494.r1.v1 (SamSam ransomware)", md5.Summary);
        Assert.Contains("misp-galaxy:malpedia=\"SamSam\"", md5.ReferenceText);

        // size-in-bytes values (512, 3072, …) are not indicators: no record carries them.
        var sizes = SizeInBytesValues(Path.Combine(SharedSamples("misp"), "mainly_objects_1.json"));
        Assert.NotEmpty(sizes);
        Assert.DoesNotContain(records.SelectMany(r => r.Values()), sizes.Contains);
    }

    private static HashSet<string> SizeInBytesValues(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.GetProperty("Event").GetProperty("Object").EnumerateArray()
            .SelectMany(o => o.GetProperty("Attribute").EnumerateArray())
            .Where(a => a.GetProperty("type").GetString() == "size-in-bytes")
            .Select(a => a.GetProperty("value").GetString()!)
            .ToHashSet();
    }

    [Fact]
    public async Task A_bare_event_maps_every_indicator_type()
    {
        var entries = await MispAsync(Q("""
            {"uuid":"ev","info":"Attack on REQ-5","timestamp":"1700000000","Orgc":{"name":"CERT-X"},
             "Attribute":[
              {"uuid":"a1","type":"ip-dst|port","value":"203.0.113.7|443","timestamp":"1700000100"},
              {"uuid":"a2","type":"domain|ip","value":"evil.example|198.51.100.9"},
              {"uuid":"a3","type":"filename|sha256","value":"in|voice.exe|ABCD"},
              {"uuid":"a4","type":"ip-src","value":"192.0.2.0/24"},
              {"uuid":"a5","type":"email-src","value":"phish@evil.example","comment":"sender of REQ-6 lure"},
              {"uuid":"a6","type":"hostname","value":"c2.evil.example"},
              {"uuid":"a7","type":"uri","value":"/gate.php"},
              {"uuid":"a8","type":"sha1","value":"FF00"},
              {"uuid":"a9","type":"text","value":"just words"},
              {"uuid":"a10","type":"link","value":"https://blog.example/post"},
              {"uuid":"a11","type":"url","value":"http://deleted.example/","deleted":true},
              {"id":"12","type":"email-dst","value":"victim@good.example"},
              {"uuid":"a13","type":"ip-dst","value":"2001:db8::1"}
             ]}
            """));

        Assert.Empty(entries.Rejections());
        var records = entries.Records();
        Assert.Equal(["ev/a1", "ev/a2", "ev/a3", "ev/a4", "ev/a5", "ev/a6", "ev/a7", "ev/a8", "ev/12", "ev/a13"], records.Select(r => r.RecordId));
        Assert.Equal([new RawIndicator("203.0.113.7", IndicatorType.Ip)], records[0].Indicators);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000100), records[0].ReportedAt);
        Assert.Equal([new RawIndicator("evil.example", IndicatorType.Domain), new RawIndicator("198.51.100.9", IndicatorType.Ip)], records[1].Indicators);
        Assert.Equal([new RawIndicator("ABCD", IndicatorType.Sha256)], records[2].Indicators);
        Assert.Equal([new RawIndicator("192.0.2.0/24", IndicatorType.Cidr)], records[3].Indicators);
        Assert.Equal([new RawIndicator("phish@evil.example", IndicatorType.Email)], records[4].Indicators);
        Assert.Equal(["Attack on REQ-5", "sender of REQ-6 lure"], records[4].ReferenceText);
        Assert.Equal([new RawIndicator("c2.evil.example", IndicatorType.Domain)], records[5].Indicators);
        Assert.Equal([new RawIndicator("/gate.php", IndicatorType.Url)], records[6].Indicators);
        Assert.Equal([new RawIndicator("FF00", IndicatorType.Sha1)], records[7].Indicators);
        Assert.Equal([new RawIndicator("victim@good.example", IndicatorType.Email)], records[8].Indicators);
        Assert.Equal([new RawIndicator("2001:db8::1", IndicatorType.Ip)], records[9].Indicators);

        // Without its own timestamp an attribute takes the event's.
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), records[1].ReportedAt);
        Assert.All(records, r => Assert.Equal("CERT-X", r.Reporter));
    }

    [Fact]
    public async Task The_event_header_may_come_after_the_attributes()
    {
        var entries = await MispAsync(Q("""
            {"Event":{
              "Attribute":[{"uuid":"a1","type":"domain","value":"late.example","Tag":[{"name":"monitor:kind=\"status-update\""}]},
                           {"uuid":"a2","type":"md5","value":"aa","comment":"hash"}],
              "Object":[{"name":"file","Attribute":[{"uuid":"o1","type":"sha512","value":"bb"},{"uuid":"o2","type":"size-in-bytes","value":"512"}]}],
              "uuid":"ev-late","info":"Answer to REQ-9","date":"2024-02-03","publish_timestamp":"0",
              "Orgc":{"name":"CERT-Y"},"Tag":[{"name":"tlp:amber"},{"name":"monitor:kind=\"response\""}]}}
            """));

        Assert.Empty(entries.Rejections());
        var records = entries.Records();
        Assert.Equal(["ev-late/a1", "ev-late/a2", "ev-late/o1"], records.Select(r => r.RecordId));
        Assert.Equal("status-update", records[0].Kind);
        Assert.Equal("response", records[1].Kind);
        Assert.Equal("response", records[2].Kind);
        Assert.All(records, r => Assert.Equal("CERT-Y", r.Reporter));
        Assert.All(records, r => Assert.Equal("Answer to REQ-9", r.Summary));
        Assert.All(records, r => Assert.Equal(new DateTimeOffset(2024, 2, 3, 0, 0, 0, TimeSpan.Zero), r.ReportedAt));
        Assert.Equal(["Answer to REQ-9", "hash", "tlp:amber", "monitor:kind=\"response\""], records[1].ReferenceText);
        Assert.Equal("$.Event.Object[0].Attribute[0]", records[2].Location);
    }

    [Fact]
    public async Task Search_results_with_several_events_keep_each_event_header()
    {
        var entries = await MispAsync(Q("""
            {"response":[
              {"Event":{"Attribute":[{"uuid":"x1","type":"url","value":"http://one.example/"}],"uuid":"e1","info":"first","Orgc":{"name":"A"}}},
              {"Event":{"uuid":"e2","info":"second","Orgc":{"name":"B"},"Object":[{"Attribute":[{"uuid":"x2","type":"url","value":"http://two.example/"}]}]}}
            ]}
            """));

        var records = entries.Records();
        Assert.Equal(["e1/x1", "e2/x2"], records.Select(r => r.RecordId));
        Assert.Equal(["first", "second"], records.Select(r => r.Summary));
        Assert.Equal(["A", "B"], records.Select(r => r.Reporter));
        Assert.Equal("$.response[1].Event.Object[0].Attribute[0]", records[1].Location);
    }

    [Fact]
    public async Task Attribute_search_results_take_the_event_summary_inside_each_attribute()
    {
        var entries = await MispAsync(Q("""
            {"response":{"Attribute":[
              {"uuid":"at1","type":"ip-dst","value":"192.0.2.8","timestamp":"1600000000","Event":{"uuid":"ev-a","info":"REQ-12 follow-up","id":"3"}}]}}
            """));

        var record = Assert.Single(entries.Records());
        Assert.Equal("ev-a/at1", record.RecordId);
        Assert.Equal("REQ-12 follow-up", record.Summary);
    }

    [Fact]
    public async Task A_malformed_attribute_is_rejected_with_its_path_and_the_next_goes_on()
    {
        var entries = await MispAsync(Q("""
            {"Event":{"uuid":"ev","Attribute":[
              {"uuid":"ok1","type":"domain","value":"ok.example"},
              {"uuid":"novalue","type":"domain"},
              {"uuid":"notype","value":"x.example"},
              {"uuid":"badtime","type":"domain","value":"t.example","timestamp":"yesterday"},
              {"uuid":"badpair","type":"domain|ip","value":"only.example"},
              "just a string",
              {"uuid":"ok2","type":"md5","value":"aa"}]}}
            """));

        var rejections = entries.Rejections();
        Assert.Equal(["$.Event.Attribute[1]", "$.Event.Attribute[2]", "$.Event.Attribute[3]", "$.Event.Attribute[4]", "$.Event.Attribute[5]"], rejections.Select(r => r.Location));
        Assert.Equal("MISP attribute of type domain has no value", rejections[0].Reason);
        Assert.Equal("ev/novalue", rejections[0].RecordId);
        Assert.Equal("MISP attribute has no type", rejections[1].Reason);
        Assert.Contains("not a time in Unix seconds", rejections[2].Reason);
        Assert.Contains("is not two values joined by '|'", rejections[3].Reason);
        Assert.Contains("must be a JSON object", rejections[4].Reason);
        Assert.Equal(["ev/ok1", "ev/ok2"], entries.Records().Select(r => r.RecordId));
    }

    [Fact]
    public async Task An_attribute_larger_than_the_limit_is_rejected_and_the_event_goes_on()
    {
        var attachment = new string('A', 20_000);
        var entries = await MispAsync(
            $$$"""{"Event":{"uuid":"ev","Attribute":[{"uuid":"big","type":"malware-sample","value":"x.exe","data":"{{{attachment}}}"},{"uuid":"ok","type":"url","value":"http://ok.example/"}],"info":"after the big one"}}""",
            new FeedLimits { MaxRecordBytes = 4096 });

        var rejection = Assert.Single(entries.Rejections());
        Assert.Equal("$.Event.Attribute[0]", rejection.Location);
        Assert.Contains("larger than the limit of 4096 bytes", rejection.Reason);
        var record = Assert.Single(entries.Records());
        Assert.Equal("ev/ok", record.RecordId);
        Assert.Equal("after the big one", record.Summary);
    }

    [Fact]
    public async Task An_attribute_nested_deeper_than_the_limit_is_rejected()
    {
        var deep = new string('[', 50) + new string(']', 50);
        var entries = await MispAsync(
            $$$"""{"Event":{"uuid":"ev","Attribute":[{"uuid":"deep","type":"url","value":"http://d.example/","x":{{{deep}}}},{"uuid":"ok","type":"url","value":"http://ok.example/"}]}}""",
            new FeedLimits { MaxJsonDepth = 20 });

        Assert.Equal("nested deeper than the limit of 20 levels", Assert.Single(entries.Rejections()).Reason);
        Assert.Equal("ev/ok", Assert.Single(entries.Records()).RecordId);
    }

    [Fact]
    public async Task A_truncated_event_keeps_the_attributes_before_the_cut()
    {
        var entries = await MispAsync(Q("""{"Event":{"uuid":"ev","Attribute":[{"uuid":"a","type":"url","value":"http://a.example/"},{"uuid":"b","type":"ur"""));

        Assert.Equal("ev/a", Assert.IsType<FeedRecord>(entries[0]).RecordId);
        var cut = Assert.IsType<FeedRejection>(entries[1]);
        Assert.Equal("$.Event.Attribute[1]", cut.Location);
        Assert.Contains("ends inside", cut.Reason);
    }

    [Fact]
    public async Task Event_field_problems_go_out_once_as_warnings()
    {
        var entries = await MispAsync(Q("""{"Event":{"uuid":"ev","timestamp":"soon","Attribute":[{"uuid":"a","type":"url","value":"http://a.example/"},{"uuid":"b","type":"url","value":"http://b.example/"}]}}"""));

        var records = entries.Records();
        Assert.Equal(["$.Event.timestamp 'soon' is not a time in Unix seconds"], records[0].Warnings);
        Assert.Empty(records[1].Warnings);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"something\":\"else\"}")]
    [InlineData("")]
    public async Task A_file_without_a_misp_event_is_a_format_error(string text)
    {
        await Assert.ThrowsAsync<FeedFormatException>(() => MispAsync(text));
    }
}
