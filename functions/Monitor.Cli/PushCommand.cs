using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// `monitor push &lt;file|folder&gt; --kind requests|incidents [--source S]`: uploads a register or feed to the drop zone; a
/// folder's files one by one (a MISP feed folder: its events, not its manifest.json and hashes.csv index files).
/// </summary>
internal static class PushCommand
{
    public static Command Build()
    {
        var file = new Argument<FileSystemInfo>("file") { Description = "The register or feed file to upload, or a folder of them" };
        var kind = new Option<string>("--kind") { Description = "requests (a request register) or incidents (an incident feed)", Required = true };
        kind.AcceptOnlyFromAmong("requests", "incidents");
        var source = new Option<string?>("--source") { Description = "For incidents: the source folder (incidents/<source>/...); default 'manual'" };
        var command = new Command("push", "Upload a file to the drop zone (the incoming container)") { file, kind, source };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            List<FileInfo> files;
            if (path is DirectoryInfo folder && folder.Exists)
            {
                files = FilesOf(folder);
                if (files.Count == 0)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]{folder.FullName}: no files to push[/]");
                    return 1;
                }
            }
            else if (path is FileInfo { Exists: true } single)
            {
                files = [single];
            }
            else
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{path.FullName}: no such file or folder[/]");
                return 1;
            }
            await using var services = MonitorCommands.Services(parse);
            var storage = services.GetRequiredService<MonitorStorage>();
            var kindValue = parse.GetValue(kind) == "requests" ? FeedKind.Requests : FeedKind.Incidents;
            foreach (var one in files)
            {
                string blobName;
                try
                {
                    blobName = await services.GetRequiredService<LocalHost>().PushAsync(one.FullName, kindValue, parse.GetValue(source), ct);
                }
                catch (ArgumentException ex)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
                    return 1;
                }
                AnsiConsole.MarkupLineInterpolated($"Pushed {one.Name} ({one.Length:N0} bytes) to {storage.Incoming.Name}/{blobName}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The files of a folder, in name order. A MISP feed folder (it has a manifest.json) pushes its events only: the
    /// manifest and hashes.csv index the events and hold no attributes.
    /// </summary>
    internal static List<FileInfo> FilesOf(DirectoryInfo folder)
    {
        var files = folder.GetFiles().Where(f => !f.Name.StartsWith('.')).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (files.Any(f => f.Name.Equals("manifest.json", StringComparison.OrdinalIgnoreCase)))
        {
            files.RemoveAll(f => f.Name.Equals("manifest.json", StringComparison.OrdinalIgnoreCase) || f.Name.Equals("hashes.csv", StringComparison.OrdinalIgnoreCase));
        }
        return files;
    }
}
