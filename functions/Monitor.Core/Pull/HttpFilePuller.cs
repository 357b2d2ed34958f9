using System.Net;
using Monitor.Core.Config;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Pull;

/// <summary>
/// Pulls one HTTP file with a conditional GET (If-None-Match with the ETag taken, If-Modified-Since with its
/// Last-Modified): 304 writes nothing. A changed file is streamed to <c>&lt;utc time&gt;-&lt;file name&gt;</c>; content the
/// server sends again unchanged (no validators) is recorded by the ingest as a duplicate of the copy already read.
/// </summary>
public sealed class HttpFilePuller(PullHttp http, DropZoneWriter dropZone, IClock clock)
{
    public async Task<PullOutcome> PullAsync(string source, PullSettings pull, PullStateEntity state, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(source, pull, pull.Url, headers =>
        {
            if (state.HttpETag is { } etag && System.Net.Http.Headers.EntityTagHeaderValue.TryParse(etag, out var tag))
            {
                headers.IfNoneMatch.Add(tag);
            }
            if (state.HttpLastModified is { } modified)
            {
                headers.IfModifiedSince = modified;
            }
        }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new PullOutcome(0, 0, "not modified (304): nothing written");
        }
        var blob = $"{DropZoneWriter.Folder(source)}{clock.GetCurrentInstant().ToDateTimeUtc():yyyyMMdd'T'HHmmssfff'Z'}-{FileName(pull.Url)}";
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
        {
            await dropZone.WriteAsync(blob, body, cancellationToken);
        }
        // Only now that the content is in the drop zone do the validators move.
        state.HttpETag = response.Headers.ETag?.ToString();
        state.HttpLastModified = response.Content.Headers.LastModified;
        return new PullOutcome(1, 1, $"written to {blob}");
    }

    /// <summary>The URL's last path segment, kept to safe characters, so the blob keeps the file's name and extension.</summary>
    internal static string FileName(Uri url)
    {
        var last = Uri.UnescapeDataString(url.Segments.LastOrDefault()?.TrimEnd('/') ?? "");
        var safe = new string([.. last.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]).Trim('.');
        return safe.Length == 0 ? "feed" : safe.Length > 100 ? safe[^100..] : safe;
    }
}
