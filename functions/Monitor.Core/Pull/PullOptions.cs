using System.ComponentModel.DataAnnotations;
using Monitor.Core.Storage;

namespace Monitor.Core.Pull;

/// <summary>How sources are pulled (section "Pull", e.g. <c>Pull__PageSize</c>); what and when is in config/sources.json.</summary>
public sealed class PullOptions : IValidatableObject
{
    public const string Section = "Pull";

    /// <summary>The TAXII <c>limit</c>: objects asked for per page, and so held in memory at once.</summary>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 100;

    /// <summary>Answers 429 (or 503) with Retry-After honoured per request before the pull fails.</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>The longest Retry-After waited; a server asking for more fails the pull (the next schedule tries again).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one request may take up to its response headers.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Failed pulls in a row after which a source raises one operational alert (0: never).</summary>
    [Range(0, 1000)]
    public int FailureAlertAfter { get; set; } = 3;

    /// <summary>The lease of a source's pull lock (15 to 60 whole seconds) and its renewal (at most half of it).</summary>
    [Range(typeof(TimeSpan), "00:00:15", "00:01:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    public LeaseTimings Timings => new(LeaseDuration, RenewInterval);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => Timings.Problems(Section);
}

/// <summary>Waits out a server's Retry-After. A seam so that tests can see the wait without spending it.</summary>
public delegate Task RetryDelay(TimeSpan delay, CancellationToken cancellationToken);

/// <summary>A pull that cannot go on: the message says what the server did and what to check.</summary>
public sealed class PullException(string message, Exception? inner = null) : Exception(message, inner);
