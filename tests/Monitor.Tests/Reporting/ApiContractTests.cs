using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Monitor.Core.Reporting;

namespace Monitor.Tests.Reporting;

/// <summary>
/// The source-generated API contracts write exactly what <see cref="ReportFormats.Json"/> (reflection, the options the
/// API used before) writes for the same value: names, order, nulls, indentation, escaping, dates and numbers.
/// </summary>
public sealed class ApiContractTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 16, 1, 0, 0, TimeSpan.Zero);

    private static readonly RequestView Full = new(
        "US-2026-0042", "US", "CN", "investigation", "high", At, "open", At.AddDays(3), "Botnet C2 <b>\"quoted\"</b> 'é' 中文 \u0001 +",
        "overdue", "met", At.AddHours(8), At.AddHours(1.5), "overdue", At.AddDays(4), null, "pending", At.AddDays(7), 2,
        new DateTimeOffset(2026, 11, 25, 20, 0, 0, TimeSpan.FromHours(8)), new DateTimeOffset(2026, 11, 27, 9, 0, 0, 123, TimeSpan.Zero));

    private static readonly RequestView Empty = new("", "", "", "", "", default, "", null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    [Fact]
    public void Each_answer_serializes_as_the_reflection_options_did()
    {
        Same(new RequestListAnswer(2, [Full, Empty]), ApiJsonContext.Api.RequestListAnswer);
        Same(new RequestListAnswer(0, []), ApiJsonContext.Api.RequestListAnswer);
        Same(new RequestDetailAnswer(
                At,
                Full,
                "met-late",
                [new ClockView("response", "met-late", "met-late: stopped by x at 2026-11-20T09:00:00Z", "CN", 37.5, 0, At, null, At.AddMinutes(1), ["a", "b & <c>"]),
                 new ClockView("update", "pending", "", "24x7", 1.0 / 3, 4, null, null, null, [])],
                new QualityView(null, ["not scored: \"none\""]),
                [new TimelineEntryView(At, "response", "timeline", "liaison-cn", "CN-1", "CNCERT", "CN", "reference,exact", "text\nline", true, false, "sinkholed"),
                 new TimelineEntryView(At, "sighting", "related-activity", "cert-x", "S-1", null, null, "", null, null, null, null)],
                [new MatchView("liaison-cn", "CN-1", "reference", "reference:US-2026-0042", "US-2026-0042", At), new MatchView("", "", "", "", "", null)],
                new Dictionary<string, string> { ["CN"] = "Asia/Shanghai", ["US"] = "America/New_York" },
                [new AlertView("A5|response|overdue|0000", "A5", "CN", "US", "investigation", "high", "response", "overdue", "at-risk", 0, At, At.AddDays(1), At, true)]),
            ApiJsonContext.Api.RequestDetailAnswer);
        Same(new RequestDetailAnswer(At, Empty, "", [], new QualityView(90, []), [], [], new Dictionary<string, string>(), []), ApiJsonContext.Api.RequestDetailAnswer);
        Same(new AlertListAnswer(At, At.AddDays(30), 2,
                [new AlertView("A5|response|overdue|0000", "A5", "CN", "US", "investigation", "high", "response", "overdue", "at-risk", 0, At, At.AddDays(1), At, true),
                 new AlertView("", "", "", "", "", "", "", "", null, -1, default, default, null, false)]),
            ApiJsonContext.Api.AlertListAnswer);
        Same(new PullListAnswer(2,
                [new PullStateView("partner", "taxii2.1", "https://taxii.example/api1/collections/c/", true, "0 */15 * * * *", At, At, 3, 250,
                    "2026-11-19T10:00:05.000000Z", null, null, 0, "GET https://taxii.example/: HTTP 401 \"x\" <y>", At.AddDays(-1), null),
                 new PullStateView("", "", "", false, null, null, null, 0, 0, null, "\"abc\"", At, 4, null, null, At)]),
            ApiJsonContext.Api.PullListAnswer);
        Same(new BoardAnswer(At, 1, 3, ["CN", "US"], ["investigation"], new Dictionary<string, string> { ["CN"] = "Asia/Shanghai" },
                [new BoardEntryView("A5", "US", "CN", "investigation", "high", "at-risk", "<b>x</b>", At, At, At.AddHours(8),
                    [new BoardClockView("acknowledgement", "at-risk", At.AddHours(8), 28800), new BoardClockView("response", null, null, null)])]),
            ApiJsonContext.Api.BoardAnswer);
        Same(new FeedsAnswer(1, 2,
                [new FeedRunView("liaison-cn", "incidents", "incidents/liaison-cn/a.csv", At, "processed", "csv", 3, 2, 2, 2, 1, 0, null, null, At,
                    [new RejectView("line 3", "reject", "reported_at 'x' is not a date-time", "R-1")])],
                [new QuarantineView("cert-x", "incidents/cert-x/b.bin", "quarantined", "not UTF-8 at line 1, byte 0", At)]),
            ApiJsonContext.Api.FeedsAnswer);
        Same(new ApiError("party: \"' or \\\"x\\\" <> '\" is not a party code", 400), ApiJsonContext.Api.ApiError);
        Same("été <x> \"q\" \u007f", ApiJsonContext.Api.String);
    }

    [Fact]
    public void The_error_body_is_error_then_status()
    {
        Assert.Equal("{\n  \"error\": \"no such resource: /x\",\n  \"status\": 404\n}", ApiResponse.Error(404, "no such resource: /x").Body);
    }

    private static void Same<T>(T value, JsonTypeInfo<T> generated) =>
        Assert.Equal(JsonSerializer.Serialize(value, ReportFormats.Json), JsonSerializer.Serialize(value, generated));
}
