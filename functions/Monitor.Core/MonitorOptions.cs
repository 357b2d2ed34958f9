using System.ComponentModel.DataAnnotations;

namespace Monitor.Core;

/// <summary>The one storage connection setting, shared by the function triggers, the core and the local host.</summary>
public static class StorageConnection
{
    /// <summary>App setting / environment variable: a connection string locally, an identity-based prefix in Azure.</summary>
    public const string Name = "MonitorStorage";
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";
}

/// <summary>Settings of the pipeline itself (section "Monitor").</summary>
public sealed class MonitorOptions
{
    public const string Section = "Monitor";

    /// <summary>
    /// Prefix for every container, table and queue name. Empty in production; tests use a random one so that
    /// they can share one Azurite without seeing each other's data.
    /// </summary>
    [RegularExpression("^[a-z][a-z0-9]{0,15}$")]
    public string StoragePrefix { get; set; } = "";

    /// <summary>Request IDs found in free text (MISP info, comments, STIX descriptions) by this pattern.</summary>
    [Required]
    /// <summary>
    /// The default request-ID format: letters, digits and one to three '-' groups ("P-01", "CN-2026-0042"), except IDs
    /// of other catalogues that have the same shape: CVE, CWE, CAPEC, GHSA, D3FEND and the NIST Mobile Threat Catalogue
    /// IDs that ATT&amp;CK cites ("APP-0", "ECO-12"). ATT&amp;CK's own IDs (T1059, TA0001) have no '-' and never fit.
    /// </summary>
    public const string DefaultRequestIdPattern =
        @"\b(?!(?:CVE|CWE|CAPEC|CPE|GHSA|OSV|D3|APP|AUT|CEL|ECO|EMM|GPS|LPN|PAY|PHY|PRE|SPC|STA|SUP|UCS)-)[A-Z][A-Z0-9]{0,9}(?:-[0-9A-Z]{1,10}){1,3}\b";

    public string RequestIdPattern { get; set; } = DefaultRequestIdPattern;

    /// <summary>A value that would match more open requests than this is flagged and matches none.</summary>
    [Range(1, 100_000)]
    public int OverMatchCap { get; set; } = 25;

    /// <summary>
    /// Entities held while their partition fills a 100-entity transaction. When the buffer is full the largest
    /// partitions are sent part-filled, so a bigger buffer gives fuller batches on feeds that touch many requests
    /// (about 1 KB of memory per entity).
    /// </summary>
    [Range(100, 1_000_000)]
    public int WriteBufferEntities { get; set; } = 100_000;

    /// <summary>
    /// When a register adds a request or gives one new indicators, the incident feeds processed in this many days
    /// before are read again for it (0: never), so a feed that arrived before its request still matches it.
    /// </summary>
    [Range(0, 3650)]
    public int RetroMatchDays { get; set; } = 30;

    /// <summary>Transactions in flight at once.</summary>
    [Range(1, 64)]
    public int WriteParallelism { get; set; } = 8;

    /// <summary>Attempts at one blob before it is parked as poison (the Functions host uses 5 as well).</summary>
    [Range(1, 20)]
    public int MaxBlobAttempts { get; set; } = 5;
}
