using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Monitor.Core.Alerts;

internal static class AlertServiceCollectionExtensions
{
    /// <summary>
    /// The "Alerts" options, the webhook client (IHttpClientFactory with the standard resilience handler: retries with
    /// exponential backoff and jitter, per-attempt and total timeouts, circuit breaker), the SMTP mailer, the routes
    /// of config/notifications.json and the delivery outbox.
    /// </summary>
    public static IServiceCollection AddMonitorAlerts(this IServiceCollection services)
    {
        services.AddValidatedOptions<AlertOptions>(AlertOptions.Section);
        services.AddHttpClient(AlertWebhook.ClientName, (provider, client) =>
            {
                // The resilience handler owns the timeouts; the client's own must not cut it short.
                client.Timeout = provider.GetRequiredService<IOptions<AlertOptions>>().Value.TotalTimeout + TimeSpan.FromSeconds(5);
            })
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider provider) =>
            {
                var alerts = provider.GetRequiredService<IOptions<AlertOptions>>().Value;
                resilience.Retry.MaxRetryAttempts = alerts.WebhookMaxRetries;
                resilience.Retry.Delay = alerts.WebhookRetryDelay;
                resilience.Retry.BackoffType = DelayBackoffType.Exponential;
                resilience.Retry.UseJitter = true;
                resilience.AttemptTimeout.Timeout = alerts.WebhookAttemptTimeout;
                resilience.TotalRequestTimeout.Timeout = alerts.TotalTimeout;
                // The breaker's window must be at least twice the attempt timeout (the handler validates it).
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, alerts.WebhookAttemptTimeout.Ticks * 2));
            });
        services.AddValidatedOptions<EmailOptions>(EmailOptions.Section);
        services.AddSingleton<AlertWebhook>();
        services.AddSingleton<AlertMailer>();
        services.AddSingleton<NotificationConfiguration>();
        services.AddSingleton<AlertOutbox>();
        services.AddSingleton<OperationalAlerts>();
        return services;
    }
}
