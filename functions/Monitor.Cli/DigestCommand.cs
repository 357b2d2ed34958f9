using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Digests;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>`monitor digest [--as-of T]`: writes the day's digest now and prints its Markdown.</summary>
internal static class DigestCommand
{
    public static Command Build()
    {
        var asOf = MonitorCommands.AsOfOption();
        var command = new Command("digest", "Write the digest of everything at risk, overdue and escalated at an instant to reports/digests/<yyyy-MM-dd>.html and .md") { asOf };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            var at = MonitorCommands.Now(parse, asOf, services);
            var result = await services.GetRequiredService<DigestWriter>().WriteAsync(at, ct);
            AnsiConsole.WriteLine(DigestRenderer.Markdown(result.Report));
            AnsiConsole.MarkupLineInterpolated($"Written {result.Container}/{result.HtmlBlob} and {result.Container}/{result.MarkdownBlob} ({result.Report.EntitiesRead} entities read).");
            return 0;
        });
        return command;
    }
}
