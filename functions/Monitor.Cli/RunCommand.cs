using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// `monitor run [--once] [--as-of T] [--poll-seconds S]`: the local host. Watches the drop zone and sweeps on the
/// schedule until Ctrl+C; with --once it processes what is pending, sweeps once and prints a summary.
/// </summary>
internal static class RunCommand
{
    private static readonly string[] AttentionLevels = ["at-risk", "overdue", "escalated"];

    public static Command Build()
    {
        var once = new Option<bool>("--once") { Description = "Process everything pending, run one sweep, print a summary and exit" };
        var asOf = MonitorCommands.AsOfOption();
        var poll = new Option<double>("--poll-seconds") { Description = "How often to look for new blobs when watching", DefaultValueFactory = _ => 5 };
        var command = new Command("run", "Watch the drop zone and ingest each new blob version once; sweep on the OverdueSweepSchedule (NCRONTAB) setting. Ctrl+C stops.")
        {
            once, asOf, poll,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            var host = services.GetRequiredService<LocalHost>();
            if (parse.GetValue(once))
            {
                var at = MonitorCommands.Now(parse, asOf, services);
                var summary = await host.RunOnceAsync(at, line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"), ct);
                // After a stop the summary is still read and printed: it says what the pass did.
                await PrintSummaryAsync(services.GetRequiredService<RequestStore>(), services.GetRequiredService<MatchStore>(), summary, summary.Stopped ? CancellationToken.None : ct);
                return summary.Stopped || ct.IsCancellationRequested ? 130 : summary.Failures.Count == 0 && summary.Sweep.SkippedBecause is null ? 0 : 2;
            }
            if (parse.GetValue(asOf) is not null)
            {
                AnsiConsole.MarkupLine("[yellow]--as-of only applies with --once; watching uses the wall clock.[/]");
            }
            var expression = Environment.GetEnvironmentVariable(LocalHost.ScheduleSetting) ?? LocalHost.DefaultSchedule;
            var schedule = LocalHost.ParseSchedule(expression);
            if (schedule is null)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{LocalHost.ScheduleSetting} '{expression}' is not a valid NCRONTAB expression (e.g. '0 */5 * * * *').[/]");
                return 1;
            }
            // Watching ends only on a stop (Ctrl+C, SIGTERM), the normal way out: exit 0 once it has said what it did.
            await host.WatchAsync(schedule, TimeSpan.FromSeconds(Math.Max(0.2, parse.GetValue(poll))), line => AnsiConsole.MarkupLineInterpolated($"{line}"), ct);
            return 0;
        });
        return command;
    }

    /// <summary>`run --once`: what this pass ingested and matched, the sweep, and the requests that need attention.</summary>
    private static async Task PrintSummaryAsync(RequestStore requestStore, MatchStore matchStore, RunSummary summary, CancellationToken cancellationToken)
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
            SharedOutput.MatchesTable(matches);
        }
        else if (matched.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"{matched.Sum(r => r.Matches):N0} matches: too many to list here; `monitor matches --request <id>` shows them.");
        }

        SharedOutput.Sweep(summary.Sweep, summary.Digest);
        var attention = await requestStore.ListAsync(null, null, null, cancellationToken);
        SharedOutput.RequestsTable($"Requests needing attention at {summary.Sweep.AsOf}", attention.Where(r => AttentionLevels.Contains(r.Level)).ToList());
    }
}
