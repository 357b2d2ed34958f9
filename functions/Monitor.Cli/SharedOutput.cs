using Monitor.Core.Alerts;
using Monitor.Core.Digests;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// Console output that more than one verb prints: the requests table (`requests`, `run --once`), the matches table
/// (`matches`, `run --once`) and the sweep summary (`sweep`, `run --once`).
/// </summary>
internal static class SharedOutput
{
    public static void Sweep(SweepResult result, DigestWriteResult? digest, DigestMailResult? digestMail = null)
    {
        if (result.SkippedBecause is { } reason)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]{reason}[/]");
            return;
        }
        AnsiConsole.MarkupLineInterpolated($"Sweep at {result.AsOf}: {result.RequestsEvaluated} requests evaluated, {result.LevelChanges} level changes, {result.Alerts.Count} new alerts.");
        foreach (var alert in result.Alerts)
        {
            AnsiConsole.MarkupLineInterpolated($"  [bold]{alert.Level.ToUpperInvariant()}[/] {alert.RequestId} {alert.Clock} (cycle {alert.Cycle}) reached {alert.ReachedAt:u}, due {alert.DueAt:u}");
        }
        foreach (var problem in result.Problems)
        {
            AnsiConsole.MarkupLineInterpolated($"  [yellow]not evaluated[/] {problem.RequestId}: {problem.Reason} (retried by every sweep until fixed)");
        }
        if (result.Deliveries != DeliveryRound.None)
        {
            AnsiConsole.MarkupLineInterpolated($"Deliveries (queue, e-mail, Teams, Slack): {result.Deliveries.Delivered} delivered, {result.Deliveries.Failed} failed, {result.Deliveries.Deferred} deferred to a later sweep.");
        }
        if (result.NotificationsError is { } notificationsError)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{notificationsError}[/]");
        }
        if (digest is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"{LocalHost.DigestLine(digest)}");
        }
        if (digestMail is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"{LocalHost.DigestMailLine(digestMail)}");
        }
    }

    public static void RequestsTable(string title, IReadOnlyList<RequestEntity> rows)
    {
        if (rows.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"{title}: none.");
            return;
        }
        var table = new Table().Title(Markup.Escape(title)).AddColumns("Request", "From→To", "Priority", "Level", "Ack", "Ack due (UTC)", "Response", "Response due (UTC)", "Update", "Update due (UTC)");
        foreach (var r in rows)
        {
            table.AddRow(Markup.Escape(r.RequestId), $"{r.RequestingParty}→{r.RespondingParty}", r.Priority, Colour(r.Level), Colour(r.AckLevel), Time(r.AckDueAt),
                Colour(r.ResponseLevel), Time(r.ResponseDueAt), Colour(r.UpdateLevel), Time(r.UpdateDueAt));
        }
        AnsiConsole.Write(table);
    }

    public static void MatchesTable(IReadOnlyList<MatchEntity> rows)
    {
        if (rows.Count == 0)
        {
            AnsiConsole.MarkupLine("Matches: none.");
            return;
        }
        var table = new Table().Title("Matches").AddColumns("Request", "Match", "Feed value", "Request value", "Source", "Record", "Kind");
        foreach (var m in rows.OrderBy(m => m.RequestId, StringComparer.Ordinal).ThenBy(m => m.RecordId, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(m.RequestId), m.MatchType, Markup.Escape(Shorten(m.Indicator)), Markup.Escape(Shorten(m.RequestIndicator)), Markup.Escape(m.Source), Markup.Escape(Shorten(m.RecordId)), Markup.Escape(m.Kind ?? ""));
        }
        AnsiConsole.Write(table);
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm") ?? "";

    private static string Colour(string? level) => level switch
    {
        "escalated" => "[bold red]escalated[/]",
        "overdue" => "[red]overdue[/]",
        "at-risk" => "[yellow]at-risk[/]",
        "met" => "[green]met[/]",
        "met-late" => "[darkorange]met-late[/]",
        null => "",
        _ => Markup.Escape(level),
    };

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..57] + "...";
}
