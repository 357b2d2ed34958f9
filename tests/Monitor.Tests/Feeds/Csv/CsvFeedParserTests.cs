using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Xunit;
using static Monitor.Tests.Feeds.Csv.CsvTestFeeds;

namespace Monitor.Tests.Feeds.Csv;

public sealed class CsvFeedParserTests
{
    private const string Header = "record_id,reported_at,reporter,kind,request_refs,indicators,summary,findings,evidence,mitigation\r\n";

    [Fact]
    public async Task Reads_every_column_of_a_plain_record()
    {
        var entries = await ParseCsvAsync(Header +
            "INC-1,2026-11-16T08:00:00Z,CERT-B,Response,REQ-2026-0001,198.51.100.7,Host cleaned,yes,true,Blocked at the border\r\n");

        var record = Assert.IsType<FeedRecord>(Assert.Single(entries));
        Assert.Equal("line 2", record.Location);
        Assert.Equal("INC-1", record.RecordId);
        Assert.Equal(new DateTimeOffset(2026, 11, 16, 8, 0, 0, TimeSpan.Zero), record.ReportedAt);
        Assert.Equal("CERT-B", record.Reporter);
        Assert.Equal("response", record.Kind);
        Assert.Equal(["REQ-2026-0001"], record.RequestRefs);
        Assert.Equal([new RawIndicator("198.51.100.7")], record.Indicators);
        Assert.Equal("Host cleaned", record.Summary);
        Assert.True(record.HasFindings);
        Assert.True(record.HasEvidence);
        Assert.Equal("Blocked at the border", record.Mitigation);
    }

    [Fact]
    public async Task Quoted_fields_keep_commas_and_doubled_quotes()
    {
        var entries = await ParseCsvAsync(Header +
            "INC-2,2026-11-16T08:00:00+01:00,CERT-B,status-update,REQ-1,,\"Seen at a, b and c; said \"\"ok\"\"\",,,\r\n");

        var record = Assert.IsType<FeedRecord>(Assert.Single(entries));
        Assert.Equal("Seen at a, b and c; said \"ok\"", record.Summary);
        Assert.Equal(TimeSpan.FromHours(1), record.ReportedAt!.Value.Offset);
        Assert.Empty(record.Indicators);
        Assert.Null(record.HasFindings);
        Assert.Null(record.Mitigation);
    }

    [Fact]
    public async Task Embedded_newlines_stay_in_the_field_and_later_records_keep_their_physical_line_numbers()
    {
        var entries = await ParseCsvAsync(Header +
            "INC-1,2026-11-16T08:00:00Z,,,,,\"first line\r\nsecond line\nthird line\",,,\r\n" +
            "INC-2,2026-11-16T09:00:00Z,,,,,one line,,,\r\n" +
            "INC-3,2026-11-16T10:00:00Z,,,,,\"two\r\nlines\",,,\r\n" +
            ",2026-11-16T11:00:00Z,,,,,no id,,,\r\n");

        Assert.Equal(["line 2", "line 5", "line 6", "line 8"], entries.Select(e => e.Location));
        Assert.Equal("first line\r\nsecond line\nthird line", ((FeedRecord)entries[0]).Summary);
        // No ID: one derived from the content, the same on every read.
        Assert.StartsWith("content-", Assert.IsType<FeedRecord>(entries[3]).RecordId);
    }

    [Fact]
    public async Task A_utf8_bom_does_not_hide_the_first_header_name()
    {
        var entries = await ParseCsvAsync("record_id,summary\nINC-1,ok\n", bom: true);

        Assert.Equal("INC-1", Assert.IsType<FeedRecord>(Assert.Single(entries)).RecordId);
    }

    [Theory]
    [InlineData(";")]
    [InlineData("\t")]
    [InlineData(",")]
    public async Task The_separator_is_taken_from_the_header_line(string separator)
    {
        var content = string.Join(separator, "record_id", "indicators", "summary") + "\n" +
                      string.Join(separator, "INC-9", "\"a.example;b.example\"", "\"x, y\"") + "\n";

        var record = Assert.IsType<FeedRecord>(Assert.Single(await ParseCsvAsync(content)));

        Assert.Equal("INC-9", record.RecordId);
        Assert.Equal(["a.example", "b.example"], record.Indicators.Select(i => i.Value));
        Assert.Equal("x, y", record.Summary);
    }

    [Fact]
    public async Task A_semicolon_file_whose_header_names_hold_commas_is_still_read_by_semicolon()
    {
        var entries = await ParseCsvAsync("Record ID;Description;Notes, free, text, more\nINC-4;a, b;x, y, z\n");

        var record = Assert.IsType<FeedRecord>(Assert.Single(entries.OfType<FeedRecord>()));
        Assert.Equal("INC-4", record.RecordId);
        Assert.Equal("a, b", record.Summary);
    }

    [Fact]
    public async Task Header_aliases_match_in_any_case_and_spelling()
    {
        var entries = await ParseCsvAsync(
            "Record-ID, TIMESTAMP ,Reported By,Event_Type,References,IOCs,Details,Findings,EVIDENCE,Mitigation,Unrelated\n" +
            "INC-5,2026-01-02T03:04:05.123456789-05:00,CERT-X,Status Update,REQ-1,x.example,text,no,0,,ignored\n");
        Assert.Equal("columns not used: Unrelated", Assert.IsType<FeedNotice>(entries[0]).Message);

        var record = Assert.IsType<FeedRecord>(Assert.Single(entries.OfType<FeedRecord>()));
        Assert.Equal("INC-5", record.RecordId);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(-5)).AddTicks(1234567), record.ReportedAt);
        Assert.Equal("CERT-X", record.Reporter);
        Assert.Equal("status-update", record.Kind);
        Assert.Equal(["REQ-1"], record.RequestRefs);
        Assert.Equal("text", record.Summary);
        Assert.False(record.HasFindings);
        Assert.False(record.HasEvidence);
    }

    [Fact]
    public async Task List_cells_split_on_semicolons_trimming_spaces_and_dropping_empty_items()
    {
        var entries = await ParseCsvAsync("id,refs,iocs\nINC-6,\" REQ-1 ; ;REQ-2;\",\"  1.2.3.4 ;hxxp://evil[.]example/a , b ;;\"\n");

        var record = Assert.IsType<FeedRecord>(Assert.Single(entries));
        Assert.Equal(["REQ-1", "REQ-2"], record.RequestRefs);
        Assert.Equal(["1.2.3.4", "hxxp://evil[.]example/a , b"], record.Indicators.Select(i => i.Value));
        Assert.All(record.Indicators, i => Assert.Null(i.Hint));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("No", false)]
    [InlineData("0", false)]
    [InlineData("Logs of 3 hosts attached", true)]
    [InlineData("", null)]
    public async Task Quality_flags_read_words_and_free_text(string cell, bool? expected)
    {
        var entries = await ParseCsvAsync($"id,findings,evidence\nINC-7,\"{cell}\",\"{cell}\"\n");

        var record = Assert.IsType<FeedRecord>(Assert.Single(entries));
        Assert.Equal(expected, record.HasFindings);
        Assert.Equal(expected, record.HasEvidence);
    }

    [Fact]
    public async Task Blank_lines_are_skipped_without_a_rejection()
    {
        var entries = await ParseCsvAsync("id,summary\n\nINC-1,a\n\r\n   \nINC-2,b\n\n");

        Assert.Equal(["line 3", "line 6"], entries.Select(e => e.Location));
        Assert.All(entries, e => Assert.IsType<FeedRecord>(e));
    }

    [Theory]
    [InlineData("16/11/2026 08:00 +01:00", "reported_at '16/11/2026 08:00 +01:00' is not an ISO-8601 date-time")]
    [InlineData("2026-11-16 8am", "reported_at '2026-11-16 8am' is not an ISO-8601 date-time")]
    [InlineData("2026-02-30T08:00:00Z", "reported_at '2026-02-30T08:00:00Z' is not a valid date-time")]
    public async Task A_bad_reported_at_rejects_the_record(string value, string reason)
    {
        var entries = await ParseCsvAsync($"id,reported_at\nINC-1,{value}\nINC-2,2026-11-16 08:00+0100\n");

        var rejection = Assert.IsType<FeedRejection>(entries[0]);
        Assert.Equal("line 2", rejection.Location);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal("INC-1", rejection.RecordId);
        Assert.Contains("record_id=INC-1", rejection.Raw);
        Assert.Equal(TimeSpan.FromHours(1), Assert.IsType<FeedRecord>(entries[1]).ReportedAt!.Value.Offset);
    }

    [Theory]
    [InlineData("2026-11-16T08:00:00Z", "2026-11-16T08:00:00.0000000+00:00")]
    [InlineData("2026-11-16t08:00z", "2026-11-16T08:00:00.0000000+00:00")]
    [InlineData("2026-11-16 08:00:59.5+05:30", "2026-11-16T08:00:59.5000000+05:30")]
    [InlineData("2026-11-16T08:00:00,123-0800", "2026-11-16T08:00:00.1230000-08:00")]
    [InlineData("2026-11-16T08:00:00.123456789+14", "2026-11-16T08:00:00.1234567+14:00")]
    [InlineData("2024-02-29T23:59:59-12:00", "2024-02-29T23:59:59.0000000-12:00")]
    public async Task Iso8601_forms_with_an_offset_are_read(string value, string expected)
    {
        var entries = await ParseCsvAsync($"id,reported_at\nINC-1,\"{value}\"\n");

        Assert.Equal(expected, Assert.IsType<FeedRecord>(Assert.Single(entries)).ReportedAt!.Value.ToString("O"));
    }

    [Theory]
    [InlineData("2026-11-16T24:00:00Z", "is not a valid date-time")]
    [InlineData("2026-13-01T08:00:00Z", "is not a valid date-time")]
    [InlineData("2026-11-16T08:00:00+15:00", "is not a valid date-time")]
    [InlineData("2026-11-16T08:00:00 Z", "is not an ISO-8601 date-time")]
    [InlineData("2026-11-16T08:00.5Z", "is not an ISO-8601 date-time")]
    [InlineData("2026-11-16T08:00:00.Z", "is not an ISO-8601 date-time")]
    [InlineData("2026-11-16T08:00:00+1", "is not an ISO-8601 date-time")]
    [InlineData("yesterday", "is not an ISO-8601 date-time")]
    public async Task Malformed_or_impossible_timestamps_are_rejected(string value, string reasonEnd)
    {
        var entries = await ParseCsvAsync($"id,reported_at\nINC-1,{value}\n");

        Assert.EndsWith(reasonEnd, Assert.IsType<FeedRejection>(Assert.Single(entries)).Reason);
    }

    [Fact]
    public async Task A_row_with_the_wrong_number_of_fields_is_rejected_and_the_next_row_is_read()
    {
        var entries = await ParseCsvAsync("id,kind,summary\nINC-1,response\nINC-2,response,ok,extra\nINC-3,response,ok\n");

        Assert.Equal("expected 3 fields, found 2", Assert.IsType<FeedRejection>(entries[0]).Reason);
        Assert.Equal("expected 3 fields, found 4", Assert.IsType<FeedRejection>(entries[1]).Reason);
        Assert.Equal("INC-2,response,ok,extra", ((FeedRejection)entries[1]).Raw);
        Assert.Equal("INC-3", Assert.IsType<FeedRecord>(entries[2]).RecordId);
    }

    [Fact]
    public async Task A_stray_quote_that_joins_lines_rejects_the_joined_text_instead_of_reading_it_as_one_record()
    {
        // RFC 4180 allows line breaks only inside a quoted field; here the quote opens in the middle of a field.
        var entries = await ParseCsvAsync("id,kind,summary\nINC-1,response,5\" floppy\nINC-2,response,x\nINC-3,response,a \"b\nINC-4,response,fine\n");

        Assert.Equal(2, entries.Count);
        var rejection = Assert.IsType<FeedRejection>(entries[0]);
        Assert.Equal("line 2", rejection.Location);
        Assert.Equal("a quote inside an unquoted field joined lines 2-4 into one record; quote the whole field and double its quotes", rejection.Reason);
        Assert.Contains("INC-2,response,x", rejection.Raw);
        Assert.Equal("INC-4", Assert.IsType<FeedRecord>(entries[1]).RecordId);
    }

    [Fact]
    public async Task A_quoted_field_never_closed_before_the_end_of_the_file_is_rejected()
    {
        var entries = await ParseCsvAsync("id,summary\nINC-1,ok\nINC-2,\"never closed\nINC-3,x\n");

        Assert.Equal("INC-1", Assert.IsType<FeedRecord>(entries[0]).RecordId);
        var rejection = Assert.IsType<FeedRejection>(entries[1]);
        Assert.Equal("line 3", rejection.Location);
        Assert.Equal("the quoted field opened on line 3 is never closed (the file ends inside it)", rejection.Reason);
        Assert.Equal(2, entries.Count);
    }

    [Fact]
    public async Task A_field_longer_than_the_limit_is_rejected()
    {
        var limits = new FeedLimits { MaxFieldLength = 10 };
        var entries = await ParseCsvAsync("id,summary\nINC-1,0123456789A\nINC-2,0123456789\n", limits);

        var rejection = Assert.IsType<FeedRejection>(entries[0]);
        Assert.Equal("field 'summary' is 11 characters, longer than the limit of 10", rejection.Reason);
        Assert.Equal("INC-1", rejection.RecordId);
        Assert.IsType<FeedRecord>(entries[1]);
    }

    [Fact]
    public async Task Too_many_indicators_reject_the_record()
    {
        var limits = new FeedLimits { MaxIndicatorsPerRecord = 3 };
        var entries = await ParseCsvAsync("id,indicators\nINC-1,a.example;b.example;c.example;d.example\nINC-2,a.example;b.example;c.example\n", limits);

        Assert.Equal("4 indicators, more than the limit of 3", Assert.IsType<FeedRejection>(entries[0]).Reason);
        Assert.Equal(3, Assert.IsType<FeedRecord>(entries[1]).Indicators.Count);
    }

    [Fact]
    public async Task A_record_bigger_than_the_byte_limit_is_rejected_counting_utf8_bytes()
    {
        // 40 characters but 80 bytes: 'é' is two bytes in UTF-8.
        var limits = new FeedLimits { MaxRecordBytes = 60 };
        var entries = await ParseCsvAsync($"id,summary\nINC-1,{new string('é', 37)}\nINC-2,short\n", limits);

        var rejection = Assert.IsType<FeedRejection>(entries[0]);
        Assert.Equal("line 2", rejection.Location);
        Assert.Equal("record is 80 bytes, larger than the limit of 60", rejection.Reason);
        Assert.Equal("INC-2", Assert.IsType<FeedRecord>(entries[1]).RecordId);
    }

    [Fact]
    public async Task An_unterminated_quote_is_cut_at_the_record_limit_and_reading_resumes_on_the_next_line()
    {
        var limits = new FeedLimits { MaxRecordBytes = 1000 };
        var lines = Enumerable.Range(1, 200).Select(i => $"INC-{i},plain text {i}");
        var content = "id,summary\nINC-0,\"never closed\n" + string.Join("\n", lines) + "\n";

        var entries = await ParseCsvAsync(content, limits);

        var rejection = Assert.IsType<FeedRejection>(entries[0]);
        Assert.Equal("line 2", rejection.Location);
        Assert.Contains("larger than the limit of 1000 bytes", rejection.Reason);
        var records = entries.OfType<FeedRecord>().ToList();
        Assert.NotEmpty(records);
        Assert.Equal("INC-200", records[^1].RecordId);
        Assert.Equal("line 202", records[^1].Location);
        Assert.Single(entries.OfType<FeedRejection>());
    }

    [Fact]
    public async Task A_file_without_a_record_id_column_gets_ids_from_the_content()
    {
        var first = await ParseCsvAsync("reported_at,summary\n2026-11-16T08:00:00Z,x\n2026-11-16T08:00:00Z,y\n");
        var again = await ParseCsvAsync("reported_at,summary\n2026-11-16T08:00:00Z,x\n2026-11-16T08:00:00Z,y\n");

        var ids = first.OfType<FeedRecord>().Select(r => r.RecordId).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.Equal(ids, again.OfType<FeedRecord>().Select(r => r.RecordId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public async Task A_file_without_a_header_is_a_format_error(string content)
    {
        var error = await Assert.ThrowsAsync<FeedFormatException>(() => ParseCsvAsync(content));

        Assert.Equal("line 1", error.Location);
    }

    [Fact]
    public async Task Two_columns_meaning_the_same_thing_are_a_format_error()
    {
        var error = await Assert.ThrowsAsync<FeedFormatException>(() => ParseCsvAsync("id,record_id\n1,2\n"));

        Assert.Equal("columns 'id' and 'record_id' both mean record_id", error.Message);
    }

    [Fact]
    public async Task A_header_only_file_yields_nothing()
    {
        Assert.Empty(await ParseCsvAsync("record_id,summary\r\n"));
    }

    [Fact]
    public async Task A_last_line_without_a_line_break_is_read()
    {
        var entries = await ParseCsvAsync("id;summary\r\nINC-1;a\r\nINC-2;\"b\"");

        Assert.Equal(["INC-1", "INC-2"], entries.Cast<FeedRecord>().Select(r => r.RecordId));
    }

    [Fact]
    public async Task Old_mac_line_endings_count_as_lines()
    {
        var entries = await ParseCsvAsync("id,summary\rINC-1,\"a\rb\"\rINC-2,c\r");

        Assert.Equal(["line 2", "line 4"], entries.Select(e => e.Location));
        Assert.Equal("a\rb", ((FeedRecord)entries[0]).Summary);
    }

    [Fact]
    public async Task Cancellation_stops_the_stream()
    {
        using var cancel = new CancellationTokenSource();
        var source = Text("feed.csv", "id\nA\nB\nC\n");
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in CsvFeedParser.ParseAsync(source, new FeedLimits(), cancel.Token))
            {
                seen++;
                await cancel.CancelAsync();
            }
        });
        Assert.Equal(1, seen);
    }
}
