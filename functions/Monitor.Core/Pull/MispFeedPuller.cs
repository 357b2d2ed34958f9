using System.Globalization;
using System.Text.Json;
using Monitor.Core.Config;
using Monitor.Core.Storage;

namespace Monitor.Core.Pull;

/// <summary>
/// Pulls a MISP feed: reads <c>manifest.json</c> (event UUID to its <c>timestamp</c>) and fetches <c>&lt;uuid&gt;.json</c> only
/// for the events whose timestamp is newer than the one taken (PullState keeps one row per event). An event updated in
/// place is fetched again as a new blob, <c>misp-&lt;uuid&gt;-&lt;timestamp&gt;.json</c>, and its records converge on
/// their deterministic keys. Each event's row is written only after its blob is in the drop zone.
/// </summary>
public sealed class MispFeedPuller(PullHttp http, DropZoneWriter dropZone, PullStateStore states)
{
    public async Task<PullOutcome> PullAsync(string source, PullSettings pull, CancellationToken cancellationToken)
    {
        var manifestUrl = new Uri(pull.Url, "manifest.json");
        var manifest = await ReadManifestAsync(source, pull, manifestUrl, cancellationToken);
        var taken = await states.EventTimestampsAsync(source, cancellationToken);
        var due = manifest.Events.Where(e => !taken.TryGetValue(e.Uuid.ToString("D"), out var t) || e.Timestamp > t)
            .OrderBy(e => e.Timestamp).ThenBy(e => e.Uuid).ToList();
        var blobs = 0;
        var failed = new List<string>();
        foreach (var (uuid, timestamp) in due)
        {
            var blob = $"{DropZoneWriter.Folder(source)}misp-{uuid:D}-{timestamp}.json";
            try
            {
                using var response = await http.GetAsync(source, pull, new Uri(pull.Url, $"{uuid:D}.json"), null, cancellationToken);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                if (await dropZone.WriteNewAsync(blob, body, cancellationToken))
                {
                    blobs++;
                }
            }
            catch (PullException ex)
            {
                // One missing or failing event does not hold up the others; it is tried again next pull.
                failed.Add(ex.Message);
                continue;
            }
            await states.SaveEventAsync(source, uuid, timestamp, blob, cancellationToken);
        }
        var detail = $"manifest lists {manifest.Events.Count} events, {due.Count} new or updated, {blobs} new blobs"
            + (manifest.Problems.Count > 0 ? $"; {manifest.Problems.Count} manifest entries skipped: {string.Join("; ", manifest.Problems.Take(3))}" : "");
        if (failed.Count > 0)
        {
            throw new PullException($"{failed.Count} of {due.Count} events could not be fetched ({string.Join("; ", failed.Take(3))}); {detail}");
        }
        return new PullOutcome(blobs, due.Count, detail);
    }

    private sealed record Manifest(List<(Guid Uuid, long Timestamp)> Events, List<string> Problems);

    private async Task<Manifest> ReadManifestAsync(string source, PullSettings pull, Uri url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(source, pull, url, null, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new PullException($"GET {PullHttp.Show(url)}: manifest.json is not JSON ({ex.Message})", ex);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new PullException($"GET {PullHttp.Show(url)}: manifest.json is not an object of event UUIDs");
            }
            var events = new List<(Guid, long)>();
            var problems = new List<string>();
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                // The UUID becomes part of a URL and a blob name: only a real UUID is used.
                if (!Guid.TryParse(entry.Name, out var uuid))
                {
                    problems.Add($"'{Clip(entry.Name)}' is not an event UUID");
                }
                else if (Timestamp(entry.Value) is not { } timestamp)
                {
                    problems.Add($"event {uuid:D} has no numeric timestamp");
                }
                else
                {
                    events.Add((uuid, timestamp));
                }
            }
            return new Manifest(events, problems);
        }
    }

    /// <summary>MISP writes the timestamp as a string of Unix seconds; some feeds write a number.</summary>
    private static long? Timestamp(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("timestamp", out var t)
            ? t.ValueKind switch
            {
                JsonValueKind.Number when t.TryGetInt64(out var n) => n,
                JsonValueKind.String when long.TryParse(t.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) => s,
                _ => null,
            }
            : null;

    private static string Clip(string value) => value.Length > 60 ? value[..60] + "..." : value;
}
