using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Storage;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Digests;

/// <summary>Where a digest was written and what it holds.</summary>
public sealed record DigestWriteResult(string Container, string HtmlBlob, string MarkdownBlob, DigestReport Report);

/// <summary>
/// Writes reports/digests/&lt;yyyy-MM-dd&gt;.html and .md (the UTC date of the digest instant). The sweep writes a day's
/// digest once: the first sweep at or after <see cref="DigestOptions.DigestTimeOfDayUtc"/> writes it, later sweeps of
/// that day leave it alone, and a sweep at the same instant again rewrites the same bytes. On demand
/// (`monitor digest`) it always writes.
/// </summary>
public sealed partial class DigestWriter(MonitorStorage storage, DigestBuilder builder, IOptions<DigestOptions> options, ILogger<DigestWriter> logger)
{
    public const string Folder = "digests/";

    /// <summary>Blob metadata key holding the instant a digest was made for, so a re-run at the same instant is recognised.</summary>
    public const string AsOfMetadata = "asof";

    public static string HtmlBlobName(Instant asOf) => $"{Folder}{DigestRenderer.DateOf(asOf)}.html";

    public static string MarkdownBlobName(Instant asOf) => $"{Folder}{DigestRenderer.DateOf(asOf)}.md";

    /// <summary>The sweep's call: writes the day's digest when it is due (see the class remarks), else returns null.</summary>
    public async Task<DigestWriteResult?> WriteIfDueAsync(Instant asOf, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.DigestEnabled || asOf.InUtc().TimeOfDay.ToTimeOnly().ToTimeSpan() < settings.DigestTimeOfDayUtc)
        {
            return null;
        }
        await storage.EnsureCreatedAsync(cancellationToken);
        // The Markdown file is written last, so its presence means the day's digest is complete.
        try
        {
            var existing = await storage.Reports.GetBlobClient(MarkdownBlobName(asOf)).GetPropertiesAsync(cancellationToken: cancellationToken);
            if (!existing.Value.Metadata.TryGetValue(AsOfMetadata, out var madeFor) || madeFor != Format(asOf))
            {
                return null;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
        return await WriteAsync(asOf, cancellationToken);
    }

    /// <summary>Builds the digest for <paramref name="asOf"/> and (over)writes the day's two files.</summary>
    public async Task<DigestWriteResult> WriteAsync(Instant asOf, CancellationToken cancellationToken) =>
        await WriteAsync(await builder.BuildAsync(asOf, cancellationToken), cancellationToken);

    /// <summary>(Over)writes the two files of a digest built by <see cref="DigestBuilder"/>.</summary>
    public async Task<DigestWriteResult> WriteAsync(DigestReport report, CancellationToken cancellationToken)
    {
        var asOf = report.AsOf;
        var metadata = new Dictionary<string, string> { [AsOfMetadata] = Format(asOf) };
        // Both rendered at once (a digest of 100,000 requests is tens of MB); the Markdown file still written last.
        var html = Task.Run(() => DigestRenderer.Html(report), cancellationToken);
        var markdown = Task.Run(() => DigestRenderer.Markdown(report), cancellationToken);
        await UploadAsync(HtmlBlobName(asOf), await html, "text/html; charset=utf-8", metadata, cancellationToken);
        await UploadAsync(MarkdownBlobName(asOf), await markdown, "text/markdown; charset=utf-8", metadata, cancellationToken);
        LogWritten(storage.Reports.Name, MarkdownBlobName(asOf), report.Items.Count, report.EntitiesRead);
        return new DigestWriteResult(storage.Reports.Name, HtmlBlobName(asOf), MarkdownBlobName(asOf), report);
    }

    private async Task UploadAsync(string name, string content, string contentType, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        await storage.Reports.GetBlobClient(name).UploadAsync(
            BinaryData.FromString(content),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType }, Metadata = metadata },
            cancellationToken);
    }

    private static string Format(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    [LoggerMessage(Level = LogLevel.Information, Message = "Digest written to {Container}/{Blob}: {Items} clocks need attention ({Reads} entities read)")]
    private partial void LogWritten(string container, string blob, int items, int reads);
}
