using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Reporting;
using Monitor.Core.Storage;

namespace Monitor.Cli;

/// <summary>`monitor matches [--request ID] [--format table|csv|json]`: which feed record matched which request, and why.</summary>
internal static class MatchesCommand
{
    public static Command Build()
    {
        var request = new Option<string?>("--request") { Description = "Only the matches of this request" };
        var format = new Option<string>("--format") { Description = "table (default, for people), csv (spreadsheet-safe) or json: every value whole", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var command = new Command("matches", "List matches: which feed record matched which request, and why") { request, format };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            var storage = services.GetRequiredService<MonitorStorage>();
            await storage.EnsureCreatedAsync(ct);
            var rows = (await services.GetRequiredService<MatchStore>().ForRequestAsync(parse.GetValue(request), ct))
                .OrderBy(m => m.RequestId, StringComparer.Ordinal).ThenBy(m => m.Source, StringComparer.Ordinal).ThenBy(m => m.RecordId, StringComparer.Ordinal).ToList();
            var output = parse.InvocationConfiguration.Output;
            switch (parse.GetValue(format))
            {
                case "csv":
                    var csv = new CsvText("RequestId", "MatchType", "Indicator", "RequestIndicator", "Source", "RecordId", "Kind", "RecordTime", "BlobName");
                    foreach (var m in rows)
                    {
                        csv.Row(m.RequestId, m.MatchType, m.Indicator, m.RequestIndicator, m.Source, m.RecordId, m.Kind, m.RecordTime, m.BlobName);
                    }
                    output.Write(csv.ToString());
                    break;
                case "json":
                    output.WriteLine(JsonSerializer.Serialize(
                        rows.Select(m => new { m.RequestId, m.MatchType, m.Indicator, m.RequestIndicator, m.Source, m.RecordId, m.Kind, m.RecordTime, m.BlobName }), ReportFormats.Json));
                    break;
                default:
                    SharedOutput.MatchesTable(rows);
                    break;
            }
            return 0;
        });
        return command;
    }
}
