using System.CommandLine;
using System.CommandLine.Parsing;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core;
using Monitor.Core.Storage;
using NCrontab;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>The verbs of `monitor`. Each one is a thin shell over the core, like the function classes.</summary>
public static class MonitorCommands
{
    private static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Log what the pipeline does (Information level)", Recursive = true };

    /// <summary>Parses and runs; failures the user can act on are printed as one clear line, not a stack trace.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Tables in logs and pipes would otherwise wrap at 80 columns.
            AnsiConsole.Profile.Width = 200;
        }
        try
        {
            return await Build().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Monitor.Core.Sweep.SweepLockLostException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return 3;
        }
        catch (RequestFailedException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Storage error {ex.Status} {ex.ErrorCode}: {ex.Message.Split('\n')[0]}[/]");
            return 3;
        }
        catch (Exception ex) when (ex is AggregateException or HttpRequestException || ex.InnerException is HttpRequestException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Cannot reach storage ({StorageConnection.Name}): {ex.GetBaseException().Message}. Is Azurite running?[/]");
            return 3;
        }
        catch (OptionsValidationException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Configuration error: {ex.Message}[/]");
            return 1;
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("config/", StringComparison.Ordinal))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Configuration error: {ex.Message}[/]");
            return 1;
        }
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("Monitor: bilateral cyber-request compliance monitor. Local host and CLI over Azure Storage (MonitorStorage).");
        root.Options.Add(Verbose);
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(PushCommand());
        root.Subcommands.Add(SweepCommand());
        root.Subcommands.Add(RequestsCommand());
        root.Subcommands.Add(MatchesCommand());
        root.Subcommands.Add(ServeCommand.Build());
        root.Subcommands.Add(ReportCommand.Build());
        root.Subcommands.Add(ExplainCommand.Build());
        root.Subcommands.Add(DigestCommand.Build());
        root.Subcommands.Add(FeedAudit.Command());
        return root;
    }

    internal static Option<Instant?> AsOfOption() => new("--as-of")
    {
        Description = "Evaluate \"now\" as this ISO-8601 instant with an offset, e.g. 2026-11-20T01:00:00Z",
        CustomParser = ParseInstant,
    };

    private static Command RunCommand()
    {
        var once = new Option<bool>("--once") { Description = "Process everything pending, run one sweep, print a summary and exit" };
        var asOf = AsOfOption();
        var poll = new Option<double>("--poll-seconds") { Description = "How often to look for new blobs when watching", DefaultValueFactory = _ => 5 };
        var command = new Command("run", "Watch the drop zone and ingest each new blob version once; sweep on the OverdueSweepSchedule (NCRONTAB) setting. Ctrl+C stops.")
        {
            once, asOf, poll,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = Services(parse, parse.GetValue(asOf));
            var host = services.GetRequiredService<LocalHost>();
            if (parse.GetValue(once))
            {
                var at = parse.GetValue(asOf) ?? services.GetRequiredService<IClock>().GetCurrentInstant();
                var summary = await host.RunOnceAsync(at, line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"), ct);
                await Report.RunSummaryAsync(services.GetRequiredService<RequestStore>(), services.GetRequiredService<MatchStore>(), summary, ct);
                return summary.Failures.Count == 0 && summary.Sweep.SkippedBecause is null ? 0 : 2;
            }
            if (parse.GetValue(asOf) is not null)
            {
                AnsiConsole.MarkupLine("[yellow]--as-of only applies with --once; watching uses the wall clock.[/]");
            }
            var expression = Environment.GetEnvironmentVariable(LocalHost.ScheduleSetting) ?? LocalHost.DefaultSchedule;
            var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 });
            if (schedule is null)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{LocalHost.ScheduleSetting} '{expression}' is not a valid NCRONTAB expression (e.g. '0 */5 * * * *').[/]");
                return 1;
            }
            await host.WatchAsync(schedule, TimeSpan.FromSeconds(Math.Max(0.2, parse.GetValue(poll))), line => AnsiConsole.MarkupLineInterpolated($"{line}"), ct);
            AnsiConsole.MarkupLine("Stopped.");
            return 0;
        });
        return command;
    }

    private static Command PushCommand()
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
            await using var services = Services(parse, null);
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

    private static Command SweepCommand()
    {
        var asOf = AsOfOption();
        var repair = new Option<bool>("--repair") { Description = "Recompute every request from its timeline (after a policy or calendar change)" };
        var command = new Command("sweep", "Bring every request's clocks to their level at an instant, raising alerts for level changes") { asOf, repair };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = Services(parse, parse.GetValue(asOf));
            var sweeper = services.GetRequiredService<Monitor.Core.Sweep.OverdueSweeper>();
            if (parse.GetValue(repair))
            {
                var marked = await sweeper.MarkAllDirtyAsync(ct);
                AnsiConsole.MarkupLineInterpolated($"Marked {marked} requests for recomputation.");
            }
            var at = parse.GetValue(asOf) ?? services.GetRequiredService<IClock>().GetCurrentInstant();
            var (result, digest) = await services.GetRequiredService<LocalHost>().SweepAsync(at, line => AnsiConsole.MarkupLineInterpolated($"[yellow]{line}[/]"), ct);
            Report.Sweep(result, digest);
            // 2: nothing was swept (another sweep held the lock); safe, and `monitor sweep` again catches up.
            return result.SkippedBecause is null ? 0 : 2;
        });
        return command;
    }

    private static Command RequestsCommand()
    {
        var party = new Option<string?>("--party") { Description = "Responding party code, e.g. CN" };
        var level = new Option<string?>("--level") { Description = "Overall level: pending, at-risk, overdue, escalated, met, met-late, paused, stopped" };
        level.Validators.Add(RequestsOutput.ValidateLevel);
        var format = RequestsOutput.FormatOption();
        var command = new Command("requests", "List requests and their clock levels") { party, level, format };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = Services(parse, null);
            var storage = services.GetRequiredService<MonitorStorage>();
            await storage.EnsureCreatedAsync(ct);
            var rows = await services.GetRequiredService<RequestStore>().ListAsync(parse.GetValue(party)?.ToUpperInvariant(), parse.GetValue(level)?.ToLowerInvariant(), null, ct);
            if (RequestsOutput.Write(parse.GetValue(format), rows, parse.InvocationConfiguration.Output))
            {
                return 0;
            }
            Report.RequestsTable("Requests", rows);
            return 0;
        });
        return command;
    }

    private static Command MatchesCommand()
    {
        var request = new Option<string?>("--request") { Description = "Only the matches of this request" };
        var command = new Command("matches", "List matches: which feed record matched which request, and why") { request };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = Services(parse, null);
            var storage = services.GetRequiredService<MonitorStorage>();
            await storage.EnsureCreatedAsync(ct);
            var id = parse.GetValue(request);
            Report.MatchesTable(await services.GetRequiredService<MatchStore>().ForRequestAsync(id, ct));
            return 0;
        });
        return command;
    }

    internal static ServiceProvider Services(ParseResult parse, Instant? asOf)
    {
        var services = LocalHost.CreateServices(minimumLevel: parse.GetValue(Verbose) ? LogLevel.Information : LogLevel.Warning);
        // Fail fast on bad options (e.g. Monitor__StoragePrefix), as ValidateOnStart would in the function app.
        _ = services.GetRequiredService<IOptions<MonitorOptions>>().Value;
        return services;
    }

    private static Instant? ParseInstant(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        var parsed = OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (parsed.Success)
        {
            return parsed.Value.ToInstant();
        }
        result.AddError($"--as-of '{text}' is not an ISO-8601 instant with an offset (e.g. 2026-11-20T01:00:00Z or 2026-11-20T09:00:00+08:00)");
        return null;
    }
}
