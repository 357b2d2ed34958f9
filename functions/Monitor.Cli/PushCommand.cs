using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>`monitor push &lt;file&gt; --kind requests|incidents [--source S]`: uploads a register or feed to the drop zone.</summary>
internal static class PushCommand
{
    public static Command Build()
    {
        var file = new Argument<FileInfo>("file") { Description = "The register or feed file to upload" };
        var kind = new Option<string>("--kind") { Description = "requests (a request register) or incidents (an incident feed)", Required = true };
        kind.AcceptOnlyFromAmong("requests", "incidents");
        var source = new Option<string?>("--source") { Description = "For incidents: the source folder (incidents/<source>/...); default 'manual'" };
        var command = new Command("push", "Upload a file to the drop zone (the incoming container)") { file, kind, source };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{path.FullName}: no such file[/]");
                return 1;
            }
            await using var services = MonitorCommands.Services(parse);
            var storage = services.GetRequiredService<MonitorStorage>();
            var kindValue = parse.GetValue(kind) == "requests" ? FeedKind.Requests : FeedKind.Incidents;
            string blobName;
            try
            {
                blobName = await services.GetRequiredService<LocalHost>().PushAsync(path.FullName, kindValue, parse.GetValue(source), ct);
            }
            catch (ArgumentException ex)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
                return 1;
            }
            AnsiConsole.MarkupLineInterpolated($"Pushed {path.Name} ({path.Length:N0} bytes) to {storage.Incoming.Name}/{blobName}");
            return 0;
        });
        return command;
    }
}
