using System.Text;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Xunit;
using static Monitor.Tests.Feeds.Csv.CsvTestFeeds;

namespace Monitor.Tests.Feeds.Csv;

public sealed class RequestRegisterParserTests
{
    private const string CsvHeader = "request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators,status,status_changed_at\n";

    [Fact]
    public async Task Reads_a_csv_register_row()
    {
        var entries = await ParseRegisterAsync("register.csv", CsvHeader +
            "REQ-2026-0001,us,cn-mps,Investigation,HIGH,2026-11-16T08:00:00+08:00,\"Botnet C2, please investigate\",\"203.0.113.5; evil.example\",,\n");

        var request = Assert.IsType<RequestRecord>(Assert.Single(entries));
        Assert.Equal("line 2", request.Location);
        Assert.Equal("REQ-2026-0001", request.RequestId);
        Assert.Equal("US", request.RequestingParty);
        Assert.Equal("CN-MPS", request.RespondingParty);
        Assert.Equal("investigation", request.Category);
        Assert.Equal("high", request.Priority);
        Assert.Equal(new DateTimeOffset(2026, 11, 16, 8, 0, 0, TimeSpan.FromHours(8)), request.SubmittedAt);
        Assert.Equal("Botnet C2, please investigate", request.Summary);
        Assert.Equal([new RawIndicator("203.0.113.5"), new RawIndicator("evil.example")], request.Indicators);
        Assert.Equal(RequestStatus.Open, request.Status);
        Assert.Null(request.StatusChangedAt);
    }

    [Fact]
    public async Task Register_aliases_and_status_columns_are_read()
    {
        var entries = await ParseRegisterAsync("register.csv",
            "ID;From;To;Category;Priority;Created;Status;Closed_At\n" +
            "REQ-7;AA;BB;evidence;low;2026-01-05T10:00:00Z;Withdrawn;2026-01-06T10:00:00Z\n");

        var request = Assert.IsType<RequestRecord>(Assert.Single(entries));
        Assert.Equal(RequestStatus.Withdrawn, request.Status);
        Assert.Equal(new DateTimeOffset(2026, 1, 6, 10, 0, 0, TimeSpan.Zero), request.StatusChangedAt);
    }

    public static TheoryData<string, string> InvalidRows => new()
    {
        { ",AA,BB,investigation,high,2026-01-05T10:00:00Z,,,,", "missing request_id" },
        { $"{new string('R', 201)},AA,BB,investigation,high,2026-01-05T10:00:00Z,,,,", "request_id is 201 characters, longer than 200" },
        { "REQ-1,,BB,investigation,high,2026-01-05T10:00:00Z,,,,", "missing requesting_party" },
        { "REQ-1,A,BB,investigation,high,2026-01-05T10:00:00Z,,,,", "requesting_party 'A' is not a party code (2-10 letters, digits or '-')" },
        { "REQ-1,AA,B B,investigation,high,2026-01-05T10:00:00Z,,,,", "responding_party 'B B' is not a party code (2-10 letters, digits or '-')" },
        { "REQ-1,AA,ABCDEFGHIJK,investigation,high,2026-01-05T10:00:00Z,,,,", "responding_party 'ABCDEFGHIJK' is not a party code (2-10 letters, digits or '-')" },
        { "REQ-1,AA,BB,,high,2026-01-05T10:00:00Z,,,,", "missing category" },
        { "REQ-1,AA,BB,investigation,urgent,2026-01-05T10:00:00Z,,,,", "priority 'urgent' is not one of critical, high, medium, low" },
        { "REQ-1,AA,BB,investigation,,2026-01-05T10:00:00Z,,,,", "missing priority" },
        { "REQ-1,AA,BB,investigation,high,,,,,", "missing submitted_at" },
        { "REQ-1,AA,BB,investigation,high,2026-01-05 10:00,,,,", "submitted_at '2026-01-05 10:00' has no UTC offset" },
        { "REQ-1,AA,BB,investigation,high,2026-01-05T10:00:00Z,,,paused,", "status 'paused' is not one of open, closed, withdrawn" },
        { "REQ-1,AA,BB,investigation,high,2026-01-05T10:00:00Z,,,closed,yesterday", "status_changed_at 'yesterday' is not an ISO-8601 date-time" },
        { "REQ-1,AA,BB,investigation,high,2026-01-05T10:00:00Z,,,closed,2026-01-04T10:00:00Z", "status_changed_at 2026-01-04T10:00:00.0000000+00:00 is before submitted_at 2026-01-05T10:00:00.0000000+00:00" },
        { "REQ-1,AA,BB,investigation,high,2026-01-05T10:00:00Z,,a.example;b.example;c.example,,", "3 indicators, more than the limit of 2" },
    };

    [Theory]
    [MemberData(nameof(InvalidRows))]
    public async Task Each_invalid_csv_row_is_rejected_with_its_reason(string row, string reason)
    {
        var limits = new FeedLimits { MaxIndicatorsPerRecord = 2 };
        var entries = await ParseRegisterAsync("register.csv", CsvHeader + row + "\nREQ-OK,AA,BB,x,low,2026-01-05T10:00:00Z,,,,\n", limits);

        var rejection = Assert.IsType<FeedRejection>(entries[0]);
        Assert.Equal("line 2", rejection.Location);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal("REQ-OK", Assert.IsType<RequestRecord>(entries[1]).RequestId);
    }

    [Fact]
    public async Task Several_problems_in_one_row_are_all_named()
    {
        var entries = await ParseRegisterAsync("register.csv", CsvHeader + "REQ-1,A,BB,,urgent,2026-01-05T10:00:00Z,,,,\n");

        var rejection = Assert.IsType<FeedRejection>(Assert.Single(entries));
        Assert.Equal("requesting_party 'A' is not a party code (2-10 letters, digits or '-'); missing category; priority 'urgent' is not one of critical, high, medium, low", rejection.Reason);
        Assert.Equal("REQ-1", rejection.RecordId);
    }

    [Fact]
    public async Task A_csv_register_without_a_required_column_is_a_format_error()
    {
        var error = await Assert.ThrowsAsync<FeedFormatException>(() =>
            ParseRegisterAsync("register.csv", "request_id,requesting_party,responding_party,category,submitted_at\nREQ-1,AA,BB,x,2026-01-05T10:00:00Z\n"));

        Assert.Equal("the header has no priority column", error.Message);
    }

    [Fact]
    public async Task Reads_a_json_array_register_with_aliases_and_indicator_arrays()
    {
        var entries = await ParseRegisterAsync("register.json", """
            [
              {"request_id": "REQ-1", "requester": "us", "responder": "cn", "category": "Mitigation", "priority": "Critical",
               "submitted_at": "2026-03-01T09:30:00-05:00", "indicators": ["198.51.100.1", " bad.example "], "status": "closed",
               "closed_at": "2026-03-02T09:30:00-05:00", "extra": {"ignored": true}},
              {"ID": "REQ-2", "From": "US", "To": "CN", "category": "investigation", "priority": "low",
               "created": "2026-03-01T09:30:00Z", "summary": "x", "indicators": "a.example;b.example"}
            ]
            """);

        Assert.Equal(2, entries.Count);
        var first = Assert.IsType<RequestRecord>(entries[0]);
        Assert.Equal("$[0]", first.Location);
        Assert.Equal("mitigation", first.Category);
        Assert.Equal("critical", first.Priority);
        Assert.Equal(["198.51.100.1", "bad.example"], first.Indicators.Select(i => i.Value));
        Assert.Equal(RequestStatus.Closed, first.Status);
        Assert.Equal(TimeSpan.FromHours(-5), first.StatusChangedAt!.Value.Offset);
        var second = Assert.IsType<RequestRecord>(entries[1]);
        Assert.Equal("$[1]", second.Location);
        Assert.Equal(["a.example", "b.example"], second.Indicators.Select(i => i.Value));
    }

    [Fact]
    public async Task Json_array_elements_that_are_invalid_are_rejected_one_by_one()
    {
        var limits = new FeedLimits { MaxRecordBytes = 400 };
        var big = new string('x', 500);
        var entries = await ParseRegisterAsync("register.json", $$$"""
            [
              {"request_id": "REQ-1", "requesting_party": "AA", "responding_party": "BB", "category": "x", "priority": "high", "submitted_at": "2026-03-01T09:30:00"},
              42,
              {"request_id": "REQ-3", "requesting_party": "AA", "responding_party": "BB", "category": "x", "priority": "high", "submitted_at": "2026-03-01T09:30:00Z", "summary": "{{{big}}}"},
              {"request_id": {"nested": 1}},
              {"id": "REQ-5", "request_id": "REQ-5"},
              {"request_id": "REQ-6", "requesting_party": "AA", "responding_party": "BB", "category": "x", "priority": "high", "submitted_at": "2026-03-01T09:30:00Z", "summary": "a, ] and } inside a \"string\""}
            ]
            """, limits);

        Assert.Equal(["$[0]", "$[1]", "$[2]", "$[3]", "$[4]", "$[5]"], entries.Select(e => e.Location));
        Assert.Equal("submitted_at '2026-03-01T09:30:00' has no UTC offset", Assert.IsType<FeedRejection>(entries[0]).Reason);
        Assert.Equal("REQ-1", ((FeedRejection)entries[0]).RecordId);
        Assert.Equal("expected a JSON object, found number", Assert.IsType<FeedRejection>(entries[1]).Reason);
        Assert.StartsWith("record is ", Assert.IsType<FeedRejection>(entries[2]).Reason);
        Assert.EndsWith("bytes, larger than the limit of 400", ((FeedRejection)entries[2]).Reason);
        Assert.Equal("property 'request_id' must be a string, not object", Assert.IsType<FeedRejection>(entries[3]).Reason);
        Assert.Equal("properties 'id' and 'request_id' both mean request_id", Assert.IsType<FeedRejection>(entries[4]).Reason);
        Assert.Equal("a, ] and } inside a \"string\"", Assert.IsType<RequestRecord>(entries[5]).Summary);
    }

    [Fact]
    public async Task A_json_array_cut_short_reports_where_it_ends()
    {
        var entries = await ParseRegisterAsync("register.json",
            "[{\"request_id\": \"REQ-1\", \"requesting_party\": \"AA\", \"responding_party\": \"BB\", \"category\": \"x\", \"priority\": \"high\", \"submitted_at\": \"2026-03-01T09:30:00Z\"}, {\"request_id\": \"RE");

        Assert.IsType<RequestRecord>(entries[0]);
        var rejection = Assert.IsType<FeedRejection>(entries[1]);
        Assert.Equal("$[1]", rejection.Location);
        Assert.Contains("ends inside", rejection.Reason);
    }

    [Fact]
    public async Task A_json_array_too_deeply_nested_is_rejected()
    {
        var limits = new FeedLimits { MaxJsonDepth = 5 };
        var nested = string.Concat(Enumerable.Repeat("[", 10)) + string.Concat(Enumerable.Repeat("]", 10));
        var entries = await ParseRegisterAsync("register.json", $"[{{\"request_id\": \"REQ-1\", \"deep\": {nested}}}]", limits);

        Assert.Contains("deeper than the limit of 5", Assert.IsType<FeedRejection>(Assert.Single(entries)).Reason);
    }

    [Fact]
    public async Task Reads_an_ndjson_register_naming_lines()
    {
        var valid = "{\"request_id\": \"REQ-1\", \"requesting_party\": \"AA\", \"responding_party\": \"BB\", \"category\": \"x\", \"priority\": \"medium\", \"submitted_at\": \"2026-03-01T09:30:00Z\"}";
        var content = "\uFEFF" + valid + "\r\n\n" +
                      "{\"request_id\": \"REQ-2\", \"priority\": \"soon\"}\n" +
                      "{not json}\n" +
                      "[1, 2]\n" +
                      valid.Replace("REQ-1", "REQ-6");

        var entries = await ParseRegisterAsync("register.ndjson", content);

        Assert.Equal(["line 1", "line 3", "line 4", "line 5", "line 6"], entries.Select(e => e.Location));
        Assert.Equal("medium", Assert.IsType<RequestRecord>(entries[0]).Priority);
        Assert.Equal("missing requesting_party; missing responding_party; missing category; priority 'soon' is not one of critical, high, medium, low; missing submitted_at", Assert.IsType<FeedRejection>(entries[1]).Reason);
        Assert.StartsWith("invalid JSON", Assert.IsType<FeedRejection>(entries[2]).Reason);
        Assert.Equal("expected a JSON object, found array", Assert.IsType<FeedRejection>(entries[3]).Reason);
        Assert.Equal("REQ-6", Assert.IsType<RequestRecord>(entries[4]).RequestId);
    }

    [Fact]
    public async Task An_ndjson_line_over_the_record_limit_is_rejected_without_losing_the_next_line()
    {
        var limits = new FeedLimits { MaxRecordBytes = 200 };
        var valid = "{\"request_id\": \"REQ-2\", \"requesting_party\": \"AA\", \"responding_party\": \"BB\", \"category\": \"x\", \"priority\": \"low\", \"submitted_at\": \"2026-03-01T09:30:00Z\"}";
        var content = $"{{\"request_id\": \"REQ-1\", \"summary\": \"{new string('x', 5000)}\"}}\n{valid}\n";

        var entries = await ParseRegisterAsync("register.ndjson", content, limits);

        Assert.Equal("record is 5038 bytes, larger than the limit of 200", Assert.IsType<FeedRejection>(entries[0]).Reason);
        Assert.Equal("REQ-2", Assert.IsType<RequestRecord>(entries[1]).RequestId);
    }

    [Fact]
    public async Task An_empty_json_array_yields_nothing()
    {
        Assert.Empty(await ParseRegisterAsync("register.json", "  [ ]  "));
    }

    [Fact]
    public async Task Json_is_recognised_by_content_even_with_a_csv_name()
    {
        var bytes = Encoding.UTF8.GetBytes("[{\"request_id\":\"REQ-1\",\"requesting_party\":\"AA\",\"responding_party\":\"BB\",\"category\":\"x\",\"priority\":\"low\",\"submitted_at\":\"2026-03-01T09:30:00Z\"}]");
        var entries = await CollectAsync(RequestRegisterParser.ParseAsync(NonSeekable("register.csv", bytes), new FeedLimits(), CancellationToken.None));

        Assert.Equal("REQ-1", Assert.IsType<RequestRecord>(Assert.Single(entries)).RequestId);
    }
}
