using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Storage;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// `monitor audit [--problems-only]`: every blob version in incoming and archive with its FeedRuns outcome
/// (<see cref="FeedAudit"/>). Exits 2 when anything is unaccounted for.
/// </summary>
internal static class AuditCommand
{
    public static Command Build()
    {
        var problems = new Option<bool>("--problems-only") { Description = "List only the blobs that FeedRuns does not account for" };
        var command = new Command("audit", "Nothing lost: every blob version in incoming and archive with its FeedRuns outcome (processed, duplicate, quarantined, poison); exits 2 if any blob has none")
        {
            problems,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            var result = await FeedAudit.RunAsync(services.GetRequiredService<MonitorStorage>(), ct);
            Print(result, parse.GetValue(problems));
            if (!parse.GetValue(problems))
            {
                await PrintReasonsAsync(services.GetRequiredService<FeedProblems>(), result, ct);
            }
            PullCommand.PrintStates(await services.GetRequiredService<PullStateStore>().SourcesAsync(ct));
            return result.Unaccounted.Count == 0 ? 0 : FeedAudit.UnaccountedExitCode;
        });
        return command;
    }

    /// <summary>The section of rejects and warnings: for each file that has some, the counts and the first reasons.</summary>
    private static async Task PrintReasonsAsync(FeedProblems problems, AuditResult result, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var run in result.Entries.Select(e => e.Run).OfType<FeedRunEntity>())
        {
            lines.AddRange(await problems.ReasonLinesAsync(run, cancellationToken));
        }
        if (lines.Count == 0)
        {
            return;
        }
        AnsiConsole.MarkupLine("[bold]Rejects and warnings[/] (all of them: monitor rejects)");
        foreach (var line in lines)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]{line}[/]");
        }
    }

    private static void Print(AuditResult result, bool problemsOnly)
    {
        var shown = problemsOnly ? result.Unaccounted : result.Entries;
        if (shown.Count > 0)
        {
            var table = new Table().Title("Blob versions and their FeedRuns outcome").AddColumns("Container", "Blob", "Last modified (UTC)", "Outcome", "Detail");
            foreach (var e in shown)
            {
                table.AddRow(Markup.Escape(e.Container), Markup.Escape(e.BlobName), e.LastModified?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") ?? "",
                    e.Accounted ? Markup.Escape(e.Outcome!) : "[red]none[/]", Markup.Escape(e.Detail));
            }
            AnsiConsole.Write(table);
        }
        var byOutcome = string.Join(", ", result.Entries.Where(e => e.Accounted).GroupBy(e => e.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
        AnsiConsole.MarkupLineInterpolated($"{result.Entries.Count} blobs: {(byOutcome.Length == 0 ? "none accounted for" : byOutcome)}; {result.EarlierVersions} earlier versions recorded in FeedRuns are no longer in incoming.");
        if (result.Unaccounted.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{result.Unaccounted.Count} blobs have no outcome in FeedRuns.[/]");
        }
        else
        {
            AnsiConsole.MarkupLine("[green]Every blob is accounted for.[/]");
        }
    }
}
