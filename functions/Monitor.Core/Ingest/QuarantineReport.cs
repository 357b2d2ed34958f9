using System.Text.Json.Serialization;

namespace Monitor.Core.Ingest;

/// <summary>quarantine/&lt;blob name&gt;.error.json: why a file was quarantined or parked as poison.</summary>
internal sealed record QuarantineReport(
    string Blob,
    string Outcome,
    string Location,
    string? Error,
    string? ContentHash,
    int Attempts,
    string FeedRun,
    DateTimeOffset At);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(QuarantineReport))]
internal sealed partial class IngestJsonContext : JsonSerializerContext;
