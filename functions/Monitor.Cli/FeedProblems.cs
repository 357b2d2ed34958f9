using Monitor.Core;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;

namespace Monitor.Cli;

/// <summary>
/// What `monitor run` and `monitor audit` say about a file beyond its counts: why it was set aside, which file it
/// duplicates (by name and when that was read, not by an internal key), and its first rejects and warnings with their
/// reasons; `monitor rejects` lists them all.
/// </summary>
public sealed class FeedProblems(FeedRunStore feedRuns, RejectStore rejects)
{
    /// <summary>How many rejects and warnings of one file are shown before pointing at `monitor rejects`.</summary>
    public const int Shown = 5;

    /// <summary>The lines to print for <paramref name="run"/>; none for a processed file without rejects or warnings.</summary>
    public async Task<List<string>> LinesAsync(FeedRunEntity run, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        switch (run.Outcome)
        {
            case FeedOutcomes.Quarantined or FeedOutcomes.Poison:
                lines.Add($"{run.BlobName} was {run.Outcome}: {run.Error}");
                break;
            case FeedOutcomes.Duplicate:
                lines.Add($"{run.BlobName}: {await DuplicateAsync(run, cancellationToken)}");
                break;
        }
        lines.AddRange(await ReasonLinesAsync(run, cancellationToken));
        return lines;
    }

    /// <summary>The file's reject and warning counts and the first <see cref="Shown"/> of them; none when it has none.</summary>
    public async Task<List<string>> ReasonLinesAsync(FeedRunEntity run, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        if (run.Rejects + run.Warnings > 0 && run.ContentHash is { } hash)
        {
            var rows = await rejects.ForFileAsync(hash, Shown, cancellationToken);
            var more = run.Rejects + run.Warnings > rows.Count;
            lines.Add($"{run.BlobName}: {Count(run.Rejects, "reject")}, {Count(run.Warnings, "warning")}{(more ? $"; the first {rows.Count}" : "")}:");
            lines.AddRange(rows.Select(Describe));
            if (more)
            {
                lines.Add($"  all of them: monitor rejects --blob {run.BlobName}");
            }
        }
        return lines;
    }

    /// <summary>"duplicate of requests/a.csv, read 2026-11-25 10:17:54Z: ..." from the run its DuplicateOf names.</summary>
    public async Task<string> DuplicateAsync(FeedRunEntity run, CancellationToken cancellationToken)
    {
        var original = run.DuplicateOf is { } id ? await feedRuns.ByRunIdAsync(id, cancellationToken) : null;
        if (original is null)
        {
            return $"duplicate of run {run.DuplicateOf}, nothing written";
        }
        var read = original.CompletedAt ?? original.StartedAt;
        return $"duplicate of {original.BlobName}{(read is { } at ? $", read {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : "")}: the same content, so nothing was written";
    }

    /// <summary>One reject or warning: "  line 4 reject (REQ-1): duplicate request_id ...".</summary>
    public static string Describe(RejectEntity row) =>
        $"  {row.Location} {row.Severity}{(string.IsNullOrEmpty(row.RecordId) ? "" : $" ({row.RecordId})")}: {row.Reason}";

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
