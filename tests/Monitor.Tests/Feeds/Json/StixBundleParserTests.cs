using System.Text.RegularExpressions;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Xunit;
using static Monitor.Tests.Feeds.Json.JsonTestFeeds;

namespace Monitor.Tests.Feeds.Json;

public sealed class StixBundleParserTests
{
    private static Task<List<FeedEntry>> SampleAsync(string file) =>
        CollectAsync(StixBundleParser.ParseAsync(Sample("stix", file), new FeedLimits(), CancellationToken.None));

    [Fact]
    public async Task Every_shared_stix_sample_parses_into_records_without_rejections()
    {
        var files = Directory.GetFiles(SharedSamples("stix"), "*.json");
        Assert.True(files.Length >= 4, $"expected the four OASIS examples in {SharedSamples("stix")}, found {files.Length}");

        foreach (var file in files)
        {
            var entries = await CollectAsync(StixBundleParser.ParseAsync(FeedSource.FromFile(file), new FeedLimits(), CancellationToken.None));

            Assert.True(entries.Rejections().Count == 0, $"{Path.GetFileName(file)}: {string.Join("; ", entries.Rejections().Select(r => $"{r.Location}: {r.Reason}"))}");
            Assert.True(entries.Records().Count > 0, $"{Path.GetFileName(file)} gave no record");
            Assert.All(entries.Records(), r => Assert.NotEmpty(r.Indicators));
        }
    }

    [Fact]
    public async Task Sample_indicator_for_malicious_url()
    {
        var entries = await SampleAsync("indicator-for-malicious-URL.json");

        var record = Assert.Single(entries.Records());
        Assert.Equal("indicator--d81f86b9-975b-bc0b-775e-810c5ad45a4f", record.RecordId);
        Assert.Equal("$.objects[0]", record.Location);
        Assert.Equal("indicator", record.Kind);
        Assert.Equal([new RawIndicator("http://x4z9arb.cn/4712", IndicatorType.Url)], record.Indicators);
        Assert.Equal(new DateTimeOffset(2014, 6, 29, 13, 49, 37, 79, TimeSpan.Zero), record.ReportedAt);
        Assert.Equal("Malicious site hosting downloader", record.Summary);
        Assert.Contains("malicious-activity", record.ReferenceText);
        Assert.Empty(record.Warnings);
    }

    [Fact]
    public async Task Sample_indicator_to_campaign_relationship_skips_the_campaign_and_relationship()
    {
        var all = await SampleAsync("indicator-to-campaign-relationship.json");
        Assert.Contains(all, e => e is FeedNotice { Message: var m } && m.Contains("campaign ×1", StringComparison.Ordinal) && m.Contains("relationship ×1", StringComparison.Ordinal));
        var entries = all.Where(e => e is not FeedNotice).ToList();

        var record = Assert.Single(entries);
        Assert.Equal("indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9", Assert.IsType<FeedRecord>(record).RecordId);
        Assert.Equal("$.objects[1]", record.Location);
        Assert.Equal([new RawIndicator("10.0.0.0", IndicatorType.Ip)], ((FeedRecord)record).Indicators);
        Assert.Equal("test_name: Test description.", ((FeedRecord)record).Summary);
    }

    [Fact]
    public async Task Sample_infrastructure_yields_its_top_level_observables()
    {
        var entries = await SampleAsync("infrastructure.json");

        var records = entries.Records();
        Assert.Equal(2, records.Count);
        var ip = entries.Record("ipv4-addr--1e4ffad7-0b88-41d4-ba4d-77d27490b956");
        Assert.Equal([new RawIndicator("198.51.100.3", IndicatorType.Ip)], ip.Indicators);
        Assert.Equal("ipv4-addr", ip.Kind);
        Assert.Null(ip.ReportedAt);
        var domain = entries.Record("domain-name--ecb120bf-2694-4902-a737-62b74539a41b");
        Assert.Equal([new RawIndicator("example.com", IndicatorType.Domain)], domain.Indicators);
    }

    [Fact]
    public async Task Sample_malware_indicator_for_file_hash()
    {
        var entries = await SampleAsync("malware-indicator-for-file-hash.json");

        var record = Assert.Single(entries.Records());
        Assert.Equal("indicator--a932fcc6-e032-176c-126f-cb970a5a1ade", record.RecordId);
        Assert.Equal([new RawIndicator("ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c", IndicatorType.Sha256)], record.Indicators);
        Assert.Equal(new DateTimeOffset(2014, 2, 20, 9, 0, 0, TimeSpan.Zero), record.ReportedAt);
    }

    /// <summary>A report (first), an identity, the indicator and observed-data it binds, the observables those refer to, and an unbound indicator.</summary>
    private static readonly string[] ReportObjects =
    [
        """
        {"type":"report","spec_version":"2.1","id":"report--r1","created":"2024-03-01T09:00:00Z","modified":"2024-03-02T09:00:00Z","published":"2024-03-03T10:00:00Z",
         "name":"Response to REQ-2024-0007","report_types":["threat-report"],
         "object_refs":["indicator--a","observed-data--b","identity--x","malware--y","indicator--missing"],
         "external_references":[{"source_name":"monitor-request","external_id":"REQ-2024-0007"},{"source_name":"capec","external_id":"CAPEC-1","description":"see case NOTE-17"}]}
        """,
        """{"type":"identity","spec_version":"2.1","id":"identity--x","name":"CERT-A","identity_class":"organization"}""",
        """
        {"type":"indicator","spec_version":"2.1","id":"indicator--a","created":"2024-03-01T08:00:00Z","modified":"2024-03-01T08:00:00Z",
         "pattern":"[domain-name:value = 'bad.example'] WITHIN 60 SECONDS","pattern_type":"stix","valid_from":"2024-03-01T08:00:00Z",
         "external_references":[{"source_name":"request","external_id":"REQ-2024-0008"}]}
        """,
        """
        {"type":"observed-data","spec_version":"2.1","id":"observed-data--b","created":"2024-03-01T08:00:00Z","modified":"2024-03-01T08:00:00Z",
         "first_observed":"2024-03-01T07:00:00Z","last_observed":"2024-03-01T07:30:00Z","number_observed":1,
         "object_refs":["ipv4-addr--c","process--p","file--f"]}
        """,
        """{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--c","value":"192.0.2.44"}""",
        """{"type":"file","spec_version":"2.1","id":"file--f","hashes":{"SHA-256":"ABCDEF","SSDEEP":"3:x:y"}}""",
        """{"type":"process","spec_version":"2.1","id":"process--p","pid":4}""",
        """
        {"type":"indicator","spec_version":"2.1","id":"indicator--alone","created":"2024-03-04T00:00:00Z","modified":"2024-03-05T00:00:00Z",
         "pattern":"[url:value = 'http://alone.example/']","pattern_type":"stix","valid_from":"2024-03-04T00:00:00Z"}
        """,
    ];

    private static string Bundle(IEnumerable<string> objects) => $"{{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[{string.Join(",", objects)}]}}";

    [Fact]
    public async Task A_report_binds_its_referenced_indicators_and_observables_into_one_record()
    {
        var entries = await StixAsync(Bundle(ReportObjects));

        Assert.Empty(entries.Rejections());
        Assert.Equal(["indicator--alone", "report--r1"], entries.Records().Select(r => r.RecordId).Order());

        var report = entries.Record("report--r1");
        Assert.Equal("$.objects[0]", report.Location);
        Assert.Equal("report", report.Kind);
        Assert.Equal(new DateTimeOffset(2024, 3, 3, 10, 0, 0, TimeSpan.Zero), report.ReportedAt);
        Assert.Equal("Response to REQ-2024-0007", report.Summary);
        Assert.Equal(
            [new RawIndicator("bad.example", IndicatorType.Domain), new RawIndicator("192.0.2.44", IndicatorType.Ip), new RawIndicator("ABCDEF", IndicatorType.Sha256)],
            report.Indicators);
        Assert.Equal(["REQ-2024-0007", "REQ-2024-0008"], report.RequestRefs.Order());
        Assert.Contains("CAPEC-1", report.ReferenceText);
        Assert.Contains("see case NOTE-17", report.ReferenceText);
        Assert.Contains(report.Warnings, w => w == "object_refs indicator--missing is not in this bundle");
        Assert.Contains(report.Warnings, w => w == "indicator--a: qualifier ignored: WITHIN 60 SECONDS");
        Assert.Contains(report.Warnings, w => w == "observed-data--b: object_refs process--p: observable type 'process' is not supported");
        Assert.Contains(report.Warnings, w => w == "observed-data--b: file--f: file hash 'SSDEEP' is not supported");

        var alone = entries.Record("indicator--alone");
        Assert.Equal(new DateTimeOffset(2024, 3, 5, 0, 0, 0, TimeSpan.Zero), alone.ReportedAt);
        Assert.Equal(["http://alone.example/"], alone.Values());
    }

    [Fact]
    public async Task A_report_after_its_objects_gives_the_same_record()
    {
        // Objects before the report that binds them: pass 1 learns of the binding only at the end.
        var reversed = Bundle(ReportObjects.Reverse());

        var entries = await StixAsync(reversed);

        Assert.Empty(entries.Rejections());
        Assert.Equal(["indicator--alone", "report--r1"], entries.Records().Select(r => r.RecordId).Order());
        var report = entries.Record("report--r1");
        Assert.Equal(3, report.Indicators.Count);
        Assert.Contains(report.Warnings, w => w == "object_refs indicator--missing is not in this bundle");
    }

    [Fact]
    public async Task A_sighting_takes_the_indicators_of_what_it_sighted_even_when_that_comes_later()
    {
        var entries = await StixAsync(Q("""
            {'type':'bundle','objects':[
              {'type':'sighting','spec_version':'2.1','id':'sighting--s','created':'2024-04-01T00:00:00Z','modified':'2024-04-02T00:00:00Z',
               'first_seen':'2024-04-01T10:00:00Z','last_seen':'2024-04-01T12:00:00Z','count':3,
               'sighting_of_ref':'indicator--i','where_sighted_refs':['identity--w'],'description':'seen at our border'},
              {'type':'sighting','spec_version':'2.1','id':'sighting--of-malware','modified':'2024-04-03T00:00:00Z','sighting_of_ref':'malware--m'},
              {'type':'indicator','spec_version':'2.1','id':'indicator--i','created':'2024-03-01T00:00:00Z','modified':'2024-03-01T00:00:00Z',
               'pattern':'[ipv4-addr:value = \u0027203.0.113.5\u0027]','pattern_type':'stix','valid_from':'2024-03-01T00:00:00Z'}
            ]}
            """));

        Assert.Empty(entries.Rejections());
        var sighting = entries.Record("sighting--s");
        Assert.Equal("sighting", sighting.Kind);
        Assert.Equal(new DateTimeOffset(2024, 4, 1, 12, 0, 0, TimeSpan.Zero), sighting.ReportedAt);
        Assert.Equal([new RawIndicator("203.0.113.5", IndicatorType.Ip)], sighting.Indicators);
        Assert.Equal("seen at our border", sighting.Summary);

        // The sighted indicator is not bound by a report: it still goes out on its own.
        Assert.Equal(["203.0.113.5"], entries.Record("indicator--i").Values());
        var ofMalware = entries.Record("sighting--of-malware");
        Assert.Empty(ofMalware.Indicators);
        Assert.Equal(new DateTimeOffset(2024, 4, 3, 0, 0, 0, TimeSpan.Zero), ofMalware.ReportedAt);
    }

    [Fact]
    public async Task External_references_give_request_refs_and_reference_text()
    {
        const string bundle = """
            {"type":"bundle","objects":[
              {"type":"indicator","id":"indicator--x","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z",
               "pattern":"[url:value = 'http://x.example/']","valid_from":"2024-01-01T00:00:00Z",
               "external_references":[
                 {"source_name":"Request","external_id":"REQ-1"},
                 {"source_name":"partner-case","external_id":"CASE-77","description":"tracked under REQ-2"},
                 {"source_name":"mitre-attack","external_id":"T1566"}]}
            ]}
            """;

        var plain = await StixAsync(bundle);
        var withPattern = await CollectAsync(StixBundleParser.ParseAsync(
            Text("b.json", bundle), new FeedLimits(), new Regex(@"\b(REQ|CASE)-[0-9]+\b"), CancellationToken.None));

        var record = Assert.Single(plain.Records());
        Assert.Equal(["REQ-1"], record.RequestRefs);
        Assert.Equal(["REQ-1", "CASE-77", "tracked under REQ-2", "T1566"], record.ReferenceText);
        Assert.Equal(["REQ-1", "CASE-77"], Assert.Single(withPattern.Records()).RequestRefs);
    }

    [Fact]
    public async Task Custom_properties_and_labels_set_kind_and_reporter()
    {
        var entries = await StixAsync(Q("""
            {'type':'bundle','objects':[
              {'type':'report','id':'report--1','published':'2024-01-01T00:00:00Z','x_monitor_kind':'Status Update','x_monitor_reporter':'CN','object_refs':[]},
              {'type':'report','id':'report--2','published':'2024-01-01T00:00:00Z','labels':['tlp:green','monitor:kind=\u0022response\u0022'],'object_refs':[]}
            ]}
            """));

        var first = entries.Record("report--1");
        Assert.Equal("status-update", first.Kind);
        Assert.Equal("CN", first.Reporter);
        Assert.Equal("response", entries.Record("report--2").Kind);
    }

    [Fact]
    public async Task Stix_2_0_observed_data_reads_its_objects_and_warns_about_unsupported_ones()
    {
        var entries = await StixAsync(Q("""
            {'type':'bundle','spec_version':'2.0','objects':[
              {'type':'observed-data','id':'observed-data--o','created':'2017-01-01T00:00:00Z','modified':'2017-01-02T00:00:00Z',
               'first_observed':'2017-01-01T00:00:00Z','last_observed':'2017-01-01T00:00:00Z','number_observed':1,
               'objects':{'0':{'type':'ipv4-addr','value':'198.51.100.0/24'},'1':{'type':'mutex','name':'m'},
                          '2':{'type':'email-addr','value':'x@y.example'},'3':{'type':'file','hashes':{'MD5':'aa','SHA-1':'bb'}},'4':{'type':'url'}}}
            ]}
            """));

        var record = Assert.Single(entries.Records());
        Assert.Equal("observed-data", record.Kind);
        Assert.Equal(new DateTimeOffset(2017, 1, 2, 0, 0, 0, TimeSpan.Zero), record.ReportedAt);
        Assert.Equal(
            [new RawIndicator("198.51.100.0/24", IndicatorType.Cidr), new RawIndicator("x@y.example", IndicatorType.Email), new RawIndicator("aa", IndicatorType.Md5), new RawIndicator("bb", IndicatorType.Sha1)],
            record.Indicators);
        Assert.Equal(["objects['1']: observable type 'mutex' is not supported", "objects['4']: url without a value"], record.Warnings);
    }

    [Fact]
    public async Task Pattern_problems_a_bad_pattern_is_rejected_an_unusable_one_goes_out_with_warnings()
    {
        var entries = await StixAsync(Q("""
            {'type':'bundle','objects':[
              {'type':'indicator','id':'indicator--bad','modified':'2024-01-01T00:00:00Z','pattern':'[ipv4-addr:value = ','valid_from':'2024-01-01T00:00:00Z'},
              {'type':'indicator','id':'indicator--unusable','modified':'2024-01-01T00:00:00Z','pattern':'[file:name = \u0027a.exe\u0027]','valid_from':'2024-01-01T00:00:00Z'},
              {'type':'indicator','id':'indicator--snort','modified':'2024-01-01T00:00:00Z','pattern':'alert tcp any any','pattern_type':'snort','valid_from':'2024-01-01T00:00:00Z'},
              {'type':'indicator','id':'indicator--nopattern','modified':'2024-01-01T00:00:00Z'},
              {'type':'indicator','id':'indicator--badtime','modified':'2024-01-01 noon','pattern':'[url:value = \u0027http://t.example\u0027]'},
              {'type':'indicator','modified':'2024-01-01T00:00:00Z','pattern':'[url:value = \u0027http://t.example\u0027]'},
              {'id':'indicator--notype'},
              42
            ]}
            """));

        var rejections = entries.Rejections();
        Assert.Equal(["$.objects[0]", "$.objects[3]", "$.objects[4]", "$.objects[5]", "$.objects[6]", "$.objects[7]"], rejections.Select(r => r.Location));
        Assert.StartsWith("invalid STIX pattern at character", rejections[0].Reason);
        Assert.Equal("indicator--bad", rejections[0].RecordId);
        Assert.Equal("indicator has no pattern", rejections[1].Reason);
        Assert.Contains("is not an ISO-8601 date-time", rejections[2].Reason);
        Assert.Equal("STIX indicator has no id", rejections[3].Reason);
        Assert.Equal("STIX object has no type", rejections[4].Reason);
        Assert.Contains("must be a JSON object", rejections[5].Reason);

        var unusable = entries.Record("indicator--unusable");
        Assert.Empty(unusable.Indicators);
        Assert.Equal(["unsupported pattern part: file:name = 'a.exe'"], unusable.Warnings);
        Assert.Equal(["pattern_type 'snort' is not STIX patterning; its pattern was not read"], entries.Record("indicator--snort").Warnings);
    }

    [Fact]
    public async Task A_bound_object_that_cannot_be_read_is_rejected_and_named_in_the_report()
    {
        var entries = await StixAsync(Q("""
            {'type':'bundle','objects':[
              {'type':'report','id':'report--r','published':'2024-01-01T00:00:00Z','object_refs':['indicator--bad','indicator--good']},
              {'type':'indicator','id':'indicator--bad','pattern':'[[['},
              {'type':'indicator','id':'indicator--good','pattern':'[url:value = \u0027http://g.example/\u0027]'}
            ]}
            """));

        Assert.Equal("indicator--bad", Assert.Single(entries.Rejections()).RecordId);
        var report = Assert.Single(entries.Records());
        Assert.Equal(["http://g.example/"], report.Values());
        Assert.Contains(report.Warnings, w => w.StartsWith("indicator--bad could not be read: invalid STIX pattern", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_array_of_bundles_is_read_whole()
    {
        var entries = await StixAsync(Q("""
            [{'type':'bundle','objects':[{'type':'domain-name','id':'domain-name--1','value':'one.example'}]},
             {'type':'bundle','objects':[{'type':'url','id':'url--2','value':'http://two.example/'}]}]
            """));

        Assert.Equal(["$[0].objects[0]", "$[1].objects[0]"], entries.Records().Select(r => r.Location));
    }

    [Fact]
    public async Task A_truncated_bundle_keeps_complete_objects_and_ends_with_a_rejection()
    {
        var entries = await StixAsync(Q("""
            {'type':'bundle','objects':[
              {'type':'url','id':'url--1','value':'http://one.example/'},
              {'type':'report','id':'report--r','published':'2024-01-01T00:00:00Z','object_refs':['url--2']},
              {'type':'url','id':'url--2','val
            """));

        Assert.Equal("url--1", entries.Records()[0].RecordId);
        var cut = Assert.Single(entries.Rejections());
        Assert.Equal("$.objects[2]", cut.Location);
        Assert.Contains("ends inside", cut.Reason);

        // The report waited for url--2, which pass 1 could not see whole: it goes out at the end, saying so.
        var report = entries.Record("report--r");
        Assert.Empty(report.Indicators);
        Assert.Single(report.Warnings);
    }

    [Fact]
    public async Task An_object_larger_than_the_limit_is_rejected_and_the_rest_read()
    {
        var entries = await StixAsync(
            $$"""{"type":"bundle","objects":[{"type":"indicator","id":"indicator--big","description":"{{new string('d', 5000)}}","pattern":"[url:value = 'http://big.example/']"},{"type":"url","id":"url--small","value":"http://small.example/"}]}""",
            new FeedLimits { MaxRecordBytes = 2048 });

        Assert.Contains("larger than the limit of 2048 bytes", Assert.Single(entries.Rejections()).Reason);
        Assert.Equal("url--small", Assert.Single(entries.Records()).RecordId);
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"type\":\"not-a-bundle\",\"things\":[1,2]}")]
    [InlineData("")]
    public async Task A_file_that_is_not_a_bundle_is_a_format_error(string text)
    {
        await Assert.ThrowsAsync<FeedFormatException>(() => StixAsync(text));
    }

    [Fact]
    public async Task A_bundle_of_objects_that_carry_no_indicators_is_empty_not_an_error()
    {
        var entries = await StixAsync(Q("{'type':'bundle','objects':[{'type':'identity','id':'identity--1','name':'x'},{'type':'malware','id':'malware--1'}]}"));

        // No records, and the run says what it skipped.
        var notice = Assert.IsType<FeedNotice>(Assert.Single(entries));
        Assert.Equal("2 STIX objects of types that hold no indicators were not read: identity ×1, malware ×1", notice.Message);
    }
}
