using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Xunit;
using static Monitor.Tests.Feeds.Json.JsonTestFeeds;

namespace Monitor.Tests.Feeds.Json;

public sealed class JsonFeedParserTests
{
    [Fact]
    public async Task Reads_every_field_of_an_array_of_records()
    {
        var entries = await ArrayAsync(Q("""
            [
              {'record_id':'r1','reported_at':'2024-05-01T10:15:00+02:00','reporter':'CERT-A','kind':'Status Update',
               'request_refs':'REQ-1; REQ-2','indicators':'192.0.2.1;evil.example','summary':'working on it',
               'findings':true,'evidence':'logs attached','mitigation':'blocked at the edge'},
              {'id':7,'timestamp':'2024-05-02T08:00:00Z','source':'CERT-B','type':'response',
               'refs':['REQ-3',' REQ-4 '],'iocs':['198.51.100.7',{'type':'sha256','value':'AB12'},{'type':'ip-dst','value':'203.0.113.0/24'}],
               'description':'done','findings':'','evidence':false}
            ]
            """));

        Assert.Empty(entries.Rejections());
        var first = entries.Record("r1");
        Assert.Equal("$[0]", first.Location);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 8, 15, 0, TimeSpan.Zero), first.ReportedAt);
        Assert.Equal(TimeSpan.FromHours(2), first.ReportedAt!.Value.Offset);
        Assert.Equal("CERT-A", first.Reporter);
        Assert.Equal("status-update", first.Kind);
        Assert.Equal(["REQ-1", "REQ-2"], first.RequestRefs);
        Assert.Equal([new RawIndicator("192.0.2.1"), new RawIndicator("evil.example")], first.Indicators);
        Assert.Equal("working on it", first.Summary);
        Assert.True(first.HasFindings);
        Assert.True(first.HasEvidence);
        Assert.Equal("blocked at the edge", first.Mitigation);

        var second = entries.Record("7");
        Assert.Equal("$[1]", second.Location);
        Assert.Equal("CERT-B", second.Reporter);
        Assert.Equal("response", second.Kind);
        Assert.Equal(["REQ-3", "REQ-4"], second.RequestRefs);
        Assert.Equal(
            [new RawIndicator("198.51.100.7"), new RawIndicator("AB12", IndicatorType.Sha256), new RawIndicator("203.0.113.0/24", IndicatorType.Ip)],
            second.Indicators);
        Assert.Equal("done", second.Summary);
        Assert.Null(second.HasFindings);
        Assert.False(second.HasEvidence);
        Assert.Empty(second.Warnings);
    }

    [Fact]
    public async Task Property_names_match_case_insensitively_and_the_canonical_name_wins_over_an_alias()
    {
        var entries = await ArrayAsync(Q("""[{'ID':'alias','Record-ID':'canonical','Reported_At':'2024-01-01T00:00:00Z','IOCs':'a.example'}]"""));

        var record = Assert.Single(entries.Records());
        Assert.Equal("canonical", record.RecordId);
        Assert.Equal(["a.example"], record.Values());
    }

    [Theory]
    [InlineData("{'record_id':'r','reported_at':'yesterday'}", "not an ISO-8601 date-time")]
    [InlineData("{'record_id':'r','reported_at':true}", "reported_at must be a date-time string or Unix seconds, not a JSON boolean")]
    [InlineData("{'record_id':{'x':1}}", "record_id must be a string, not a JSON object")]
    [InlineData("['not','an','object']", "a record must be a JSON object, not a JSON array")]
    public async Task A_bad_record_is_rejected_with_its_reason_and_the_next_goes_on(string record, string reason)
    {
        var entries = await ArrayAsync(Q($"[{record}, {{'record_id':'next'}}]"));

        var rejection = Assert.IsType<FeedRejection>(entries[0]);
        Assert.Equal("$[0]", rejection.Location);
        Assert.Contains(reason, rejection.Reason);
        Assert.NotNull(rejection.Raw);
        Assert.Equal("next", Assert.IsType<FeedRecord>(entries[1]).RecordId);
    }

    [Fact]
    public async Task Too_many_indicators_is_a_rejection()
    {
        var entries = await ArrayAsync(Q("[{'record_id':'r','indicators':['a.example','b.example','c.example']}]"), new FeedLimits { MaxIndicatorsPerRecord = 2 });

        Assert.Contains("3 indicators, more than the limit of 2", Assert.Single(entries.Rejections()).Reason);
    }

    [Fact]
    public async Task Unusable_list_items_are_warnings_not_silently_dropped()
    {
        var entries = await ArrayAsync(Q("[{'record_id':'r','indicators':[{'type':'mutex','value':'abc'},{'type':'ip'},[1],'ok.example'],'request_refs':[{'x':1},'REQ-9']}]"));

        var record = Assert.Single(entries.Records());
        Assert.Equal([new RawIndicator("ok.example")], record.Indicators);
        Assert.Equal(["REQ-9"], record.RequestRefs);
        Assert.Equal(4, record.Warnings.Count);
        Assert.Contains(record.Warnings, w => w.Contains("indicator type 'mutex' is not one this system matches; the value was not read"));
        Assert.Contains(record.Warnings, w => w.Contains("indicators[1] ignored: it has no \"value\""));
    }

    [Fact]
    public async Task Ndjson_skips_blank_lines_and_a_bad_line_does_not_stop_the_next()
    {
        const string text = "{\"record_id\":\"a\",\"indicators\":\"192.0.2.1\"}\n\n{\"record_id\": broken\n   \n{\"record_id\":\"b\"}\n{\"summary\":\"no id\"}";

        var entries = await NdjsonAsync(text);

        Assert.Equal(["line 1", "line 3", "line 5", "line 6"], entries.Select(e => e.Location));
        Assert.Equal("a", Assert.IsType<FeedRecord>(entries[0]).RecordId);
        Assert.Contains("not valid JSON", Assert.IsType<FeedRejection>(entries[1]).Reason);
        Assert.Equal("b", Assert.IsType<FeedRecord>(entries[2]).RecordId);
        // A record without an ID gets one derived from its content.
        Assert.StartsWith("content-", Assert.IsType<FeedRecord>(entries[3]).RecordId);
    }

    [Fact]
    public async Task A_record_larger_than_the_limit_is_rejected_in_both_layouts()
    {
        var big = new string('x', 4000);
        var limits = new FeedLimits { MaxRecordBytes = 1000 };

        var array = await ArrayAsync($$"""[{"record_id":"a"},{"record_id":"big","summary":"{{big}}"},{"record_id":"c"}]""", limits);
        var lines = await NdjsonAsync($$"""{"record_id":"a"}{{"\n"}}{"record_id":"big","summary":"{{big}}"}{{"\n"}}{"record_id":"c"}""", limits);

        foreach (var entries in new[] { array, lines })
        {
            Assert.Equal(["a", "c"], entries.Records().Select(r => r.RecordId));
            Assert.Contains("larger than the limit of 1000 bytes", Assert.Single(entries.Rejections()).Reason);
        }
    }

    [Fact]
    public async Task A_record_nested_deeper_than_the_limit_is_rejected()
    {
        var deep = new string('[', 30) + new string(']', 30);
        var limits = new FeedLimits { MaxJsonDepth = 10 };

        var array = await ArrayAsync($$"""[{"record_id":"deep","x":{{deep}}},{"record_id":"ok"}]""", limits);
        var lines = await NdjsonAsync($$"""{"record_id":"deep","x":{{deep}}}{{"\n"}}{"record_id":"ok"}""", limits);

        Assert.Equal("nested deeper than the limit of 10 levels", Assert.Single(array.Rejections()).Reason);
        Assert.Contains("depth", Assert.Single(lines.Rejections()).Reason);
        Assert.Equal("ok", Assert.Single(array.Records()).RecordId);
        Assert.Equal("ok", Assert.Single(lines.Records()).RecordId);
    }

    [Fact]
    public async Task A_truncated_array_keeps_what_was_complete_and_ends_with_a_rejection()
    {
        var entries = await ArrayAsync("""[{"record_id":"a"},{"record_id":"b","summ""");

        Assert.Equal("a", Assert.IsType<FeedRecord>(entries[0]).RecordId);
        var rejection = Assert.IsType<FeedRejection>(entries[1]);
        Assert.Equal("$[1]", rejection.Location);
        Assert.Contains("ends inside", rejection.Reason);
    }

    [Theory]
    [InlineData("record_id,summary\nr1,hello")]
    [InlineData("")]
    [InlineData("{\"records\":\"none\",\"count\":0}")]
    public async Task A_file_that_is_not_a_json_array_is_a_format_error(string text)
    {
        var ex = await Assert.ThrowsAsync<FeedFormatException>(() => ArrayAsync(text));

        Assert.Equal("$", ex.Location);
    }

    [Theory]
    [InlineData("record_id,summary\nr1,hello")]
    [InlineData("<records/>")]
    public async Task Ndjson_whose_first_line_is_not_json_is_a_format_error(string text)
    {
        var ex = await Assert.ThrowsAsync<FeedFormatException>(() => NdjsonAsync(text));

        Assert.Equal("line 1", ex.Location);
    }

    [Fact]
    public async Task A_slow_non_seekable_stream_gives_the_same_records()
    {
        var json = Q("[{'record_id':'a','indicators':['192.0.2.1']},{'record_id':'b','summary':'" + new string('s', 3000) + "'}]");

        var entries = await CollectAsync(JsonFeedParser.ParseArrayAsync(Trickle("feed.json", json, 5), new FeedLimits(), CancellationToken.None));

        Assert.Equal(["a", "b"], entries.Records().Select(r => r.RecordId));
    }
}
