using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core;
using Monitor.Core.Ingest;
using Monitor.Core.Sla;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Sweep;

/// <summary>`monitor explain`: the core explainer on a real Azurite, and the CLI run as a process.</summary>
/// <remarks>
/// H-1, high priority, US to CN, submitted Mon 2026-11-16 09:00 +08 (01:00Z), on CN's calendar (Asia/Shanghai, 09:00-17:00).
/// Acknowledgement P1D = 8h: at risk after 6h = Mon 15:00 +08, due Mon 17:00 +08 (09:00Z), escalates after 16h = Tue 17:00 +08.
/// CN asks for information Tue 10:00 +08 (02:00Z); US answers Tue 14:00 +08 (06:00Z): 4 working hours paused.
/// Response P5D = 40h: due Fri 2026-11-20 17:00 +08 without the pause; 4 working hours later with it: Mon 2026-11-23 13:00 +08 (05:00Z).
/// Update P7D on 24x7 = 168h from 01:00Z Mon: 11-23 01:00Z, plus the 4h pause = 11-23 05:00Z.
/// </remarks>
public sealed class ExplainTests : IAsyncLifetime
{
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        H-1,US,CN,investigation,high,2026-11-16T09:00:00+08:00,Business calendar,
        """;

    private const string Feed = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        Q1,2026-11-17T10:00:00+08:00,CN,rfi,H-1,,Which hosts?
        A1,2026-11-17T14:00:00+08:00,US,comment,H-1,,These hosts
        N1,2026-11-17T03:00:00Z,cert-x,indicator,H-1,,A sighting
        """;

    private readonly TestStorage _test = new();

    public async Task InitializeAsync()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", Feed, FeedKind.Incidents, "liaison");
        var (_, failures) = await _test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
    }

    public async Task DisposeAsync() => await _test.DisposeAsync();

    private RequestExplainer Explainer => _test.Services.GetRequiredService<RequestExplainer>();

    [Fact]
    public async Task Explains_each_clock_with_calendar_pauses_due_in_zone_and_utc_and_why()
    {
        var explanation = await Explainer.ExplainAsync("H-1", SweepTestKit.At("2026-11-17T04:00:00Z"), CancellationToken.None);

        Assert.NotNull(explanation);
        Assert.Equal(ClockLevel.Overdue, explanation.Level);
        Assert.Equal(
            [(ClockKind.Acknowledgement, ClockLevel.Overdue), (ClockKind.Response, ClockLevel.Paused), (ClockKind.Update, ClockLevel.Paused)],
            explanation.ClockExplanations.Select(c => (c.Clock.Kind, c.Level)));
        var text = string.Join('\n', explanation.Render());

        Assert.Contains("Request H-1: US -> CN, category investigation, priority high, status open", text);
        Assert.Contains("At 2026-11-17T04:00:00Z the request is overdue (set by the acknowledgement clock).", text);
        Assert.Contains("  2026-11-17T02:00:00Z  info-request     from CN  (liaison/Q1)", text);
        Assert.Contains("  2026-11-17T06:00:00Z  comment          from US  (liaison/A1)  [after the as-of instant: not counted at it]", text);
        Assert.Contains("(1 other event(s): related activity or pending, which do not act on the clocks)", text);

        Assert.Contains("""
            acknowledgement clock: overdue at 2026-11-17T04:00:00Z
              calendar: CN, zone Asia/Shanghai; target P1D = 8h of working time
              starts Mon 2026-11-16 09:00 +08 (01:00Z) (submitted)
                at risk: Mon 2026-11-16 15:00 +08 (07:00Z) = 2026-11-16T07:00:00Z
                due:     Mon 2026-11-16 17:00 +08 (09:00Z) = 2026-11-16T09:00:00Z
                escalates: Tue 2026-11-17 17:00 +08 (09:00Z) = 2026-11-17T09:00:00Z
              why: overdue: due 2026-11-16T09:00:00Z; escalates at 2026-11-17T09:00:00Z
            """, text);
        Assert.Contains("""
            response clock: paused at 2026-11-17T04:00:00Z
              calendar: CN, zone Asia/Shanghai; target P5D = 40h of working time
              starts Mon 2026-11-16 09:00 +08 (01:00Z) (submitted)
                paused from Tue 2026-11-17 10:00 +08 (02:00Z) to Tue 2026-11-17 14:00 +08 (06:00Z) (info-request liaison/Q1, ended by comment liaison/A1): 4h of working time excluded
                at risk: Fri 2026-11-20 11:00 +08 (03:00Z) = 2026-11-20T03:00:00Z
                due:     Mon 2026-11-23 13:00 +08 (05:00Z) = 2026-11-23T05:00:00Z
            """, text);
        Assert.Contains("  why: paused: waiting for the requesting party since 2026-11-17T02:00:00Z", text);
        Assert.Contains("""
            update clock: paused at 2026-11-17T04:00:00Z
              calendar: 24x7, zone UTC; target P7D = 168h of working time
              cycle 0: starts Mon 2026-11-16 01:00Z (submitted)
            """, text);
        Assert.Contains("    due:     Mon 2026-11-23 05:00Z = 2026-11-23T05:00:00Z", text);
    }

    [Fact]
    public async Task Explain_is_read_only_and_gives_the_level_the_sweep_stores()
    {
        var at = SweepTestKit.At("2026-11-24T00:00:00Z");
        var explanation = await Explainer.ExplainAsync("H-1", at, CancellationToken.None);
        await new SweepTestKit(_test).SweepAsync("2026-11-24T00:00:00Z");

        var stored = (await new SweepTestKit(_test).RequestsAsync())["H-1"];
        Assert.NotNull(explanation);
        Assert.Equal(
            (stored.AckLevel, stored.ResponseLevel, stored.UpdateLevel, stored.Level),
            (Name(explanation.Clocks.Acknowledgement.LevelAt(at)), Name(explanation.Clocks.Response.LevelAt(at)), Name(explanation.Clocks.Update.LevelAt(at)), Name(explanation.Level)));
        Assert.Equal("escalated", stored.AckLevel);
        Assert.Equal("overdue", stored.ResponseLevel);
    }

    [Fact]
    public async Task An_unknown_request_is_null_in_the_core_and_case_does_not_matter()
    {
        Assert.Null(await Explainer.ExplainAsync("NOPE-1", SweepTestKit.At("2026-11-17T04:00:00Z"), CancellationToken.None));
        // IDs are one request whatever their case, as everywhere else.
        var other = await Explainer.ExplainAsync("h-1", SweepTestKit.At("2026-11-17T04:00:00Z"), CancellationToken.None);
        Assert.Equal("H-1", other?.Request.RequestId);
    }

    [Fact]
    public async Task The_cli_explains_a_request_and_refuses_an_unknown_one_with_a_clear_error()
    {
        var (exit, output) = await RunCliAsync("explain", "H-1", "--as-of", "2026-11-17T12:00:00+08:00");
        Assert.Equal(0, exit);
        Assert.Contains("calendar: CN, zone Asia/Shanghai; target P1D = 8h of working time", output);
        Assert.Contains("why: paused: waiting for the requesting party since 2026-11-17T02:00:00Z", output);

        (exit, output) = await RunCliAsync("explain", "NOPE-1");
        Assert.Equal(1, exit);
        Assert.Contains($"Unknown request 'NOPE-1': no row with that RowKey in table {_test.Prefix}Requests", output);
        // IDs are compared ignoring case (h-1 finds H-1), and the message says so.
        Assert.Contains("IDs are matched ignoring case", output);
        Assert.DoesNotContain("matched exactly", output);

        (exit, output) = await RunCliAsync("digest", "--as-of", "2026-11-17T04:00:00Z");
        Assert.Equal(0, exit);
        Assert.Contains("| H-1 | US | high | investigation | acknowledgement | overdue | CN (Asia/Shanghai) | Mon 2026-11-16 17:00 +08 (09:00Z) |", output);
        Assert.Contains($"Written {_test.Prefix}-reports/digests/2026-11-17.html and {_test.Prefix}-reports/digests/2026-11-17.md", output);
    }

    private static string Name(ClockLevel level) => ClockLevels.Name(level);

    /// <summary>Runs the real `monitor` CLI (monitor.dll beside the tests) against this test's storage slice.</summary>
    private async Task<(int Exit, string Output)> RunCliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "monitor.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment[StorageConnection.Name] = AzuriteServer.ConnectionString;
        start.Environment["Monitor__StoragePrefix"] = _test.Prefix;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
