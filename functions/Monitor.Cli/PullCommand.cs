using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Pull;
using Monitor.Core.Storage;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// `monitor pull [--source NAME]`: pulls now, whatever the schedules, every source that config/sources.json gives a
/// pull block (or just one) into the drop zone; `monitor run` ingests what it wrote. Prints what each source fetched
/// and exits 2 when any failed, after pulling the others.
/// </summary>
internal static class PullCommand
{
    public static Command Build()
    {
        var source = new Option<string?>("--source") { Description = "Pull only this source (its name in config/sources.json)" };
        var command = new Command("pull", "Pull the TAXII 2.1 collections, MISP feeds and HTTP files of config/sources.json into the drop zone now, whatever their schedules")
        {
            source,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            IReadOnlyList<SourcePull> pulls;
            try
            {
                pulls = await services.GetRequiredService<FeedPuller>().PullAsync(parse.GetValue(source), ct);
            }
            catch (PullException ex)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
                return 1;
            }
            if (pulls.Count == 0)
            {
                AnsiConsole.MarkupLine("No source in config/sources.json has a pull block.");
                return 0;
            }
            Print(pulls);
            return pulls.Any(p => p.Failed) ? 2 : 0;
        });
        return command;
    }

    /// <summary>One line per source: what it fetched, or why it failed or was skipped.</summary>
    internal static void Print(IReadOnlyList<SourcePull> pulls)
    {
        foreach (var pull in pulls)
        {
            var colour = pull.Failed ? "red" : pull.Skipped is not null ? "yellow" : "green";
            AnsiConsole.MarkupLineInterpolated($"[{colour}]Pull {pull.Line}[/]");
        }
    }

    /// <summary>`monitor audit`'s section on pulled sources: last pull, cursor and last error of each.</summary>
    internal static void PrintStates(IReadOnlyList<PullStateEntity> states)
    {
        if (states.Count == 0)
        {
            return;
        }
        var table = new Table().Title("Pulled sources (PullState)").AddColumns("Source", "Kind", "Last pull (UTC)", "Last success (UTC)", "Cursor / validators", "Failures in a row", "Last error");
        foreach (var s in states.OrderBy(s => s.Source, StringComparer.Ordinal))
        {
            var cursor = s.Cursor ?? string.Join(" ", new[] { s.HttpETag is null ? null : $"ETag {s.HttpETag}", s.HttpLastModified is { } m ? $"Last-Modified {m.UtcDateTime:u}" : null }.OfType<string>());
            table.AddRow(Markup.Escape(s.Source), Markup.Escape(s.Kind), Utc(s.LastPullAt), Utc(s.LastSuccessAt), Markup.Escape(cursor),
                s.ConsecutiveFailures == 0 ? "0" : $"[red]{s.ConsecutiveFailures}[/]",
                s.LastError is null ? "" : Markup.Escape($"{Utc(s.LastErrorAt)}: {s.LastError}"));
        }
        AnsiConsole.Write(table);
    }

    private static string Utc(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") ?? "";
}
