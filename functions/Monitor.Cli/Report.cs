using Azure.Data.Tables;
using Monitor.Core;
using Monitor.Core.Alerts;
using Monitor.Core.Digests;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>Console output of the CLI: readable tables for people.</summary>
internal static class Report
{
    private static readonly string[] AttentionLevels = ["at-risk", "overdue", "escalated"];

    public static async Task RunSummaryAsync(RequestStore requestStore, MatchStore matchStore, RunSummary summary, CancellationToken cancellationToken)
    {
        var feeds = new Table().Title("Feeds").AddColumns("Blob", "Outcome", "Format", "Records", "Matches", "Events", "Rejects");
        foreach (var run in summary.Feeds)
        {
            feeds.AddRow(Markup.Escape(run.BlobName), Markup.Escape(run.Outcome), run.Format ?? "", $"{run.Records}", $"{run.Matches}", $"{run.Events}", $"{run.Rejects}");
        }
        if (summary.Feeds.Count == 0)
        {
            AnsiConsole.MarkupLine("No new blobs in the drop zone.");
        }
        else
        {
            AnsiConsole.Write(feeds);
        }
        foreach (var failure in summary.Failures)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{failure}[/]");
        }
        foreach (var run in summary.Feeds.Where(r => r.Outcome is FeedOutcomes.Quarantined or FeedOutcomes.Poison))
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]{run.BlobName} was {run.Outcome}: {run.Error}[/]");
        }

        // List this pass's matches when they fit on a screen; a big feed only gets its counts (see `monitor matches`).
        const int MaxListed = 200;
        var matched = summary.Feeds.Where(r => r.Outcome == FeedOutcomes.Processed && r.Matches > 0).ToList();
        if (matched.Count > 0 && matched.Sum(r => r.Matches) <= MaxListed)
        {
            var matches = new List<MatchEntity>();
            foreach (var hash in matched.Select(r => r.ContentHash!).Distinct())
            {
                matches.AddRange(await matchStore.ForContentAsync(hash, cancellationToken));
            }
            MatchesTable(matches);
        }
        else if (matched.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"{matched.Sum(r => r.Matches):N0} matches: too many to list here; `monitor matches --request <id>` shows them.");
        }

        Sweep(summary.Sweep, summary.Digest);
        var attention = await requestStore.ListAsync(null, null, null, cancellationToken);
        RequestsTable($"Requests needing attention at {summary.Sweep.AsOf}", attention.Where(r => AttentionLevels.Contains(r.Level)).ToList());
    }

    public static void Sweep(SweepResult result, DigestWriteResult? digest)
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
        if (result.Webhooks != WebhookRound.None)
        {
            AnsiConsole.MarkupLineInterpolated($"Webhook: {result.Webhooks.Delivered} delivered, {result.Webhooks.Failed} failed, {result.Webhooks.Deferred} deferred to the next sweep.");
        }
        if (digest is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"{LocalHost.DigestLine(digest)}");
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
