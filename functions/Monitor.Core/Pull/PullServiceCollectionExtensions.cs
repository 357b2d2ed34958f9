using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Monitor.Core.Pull;

internal static class PullServiceCollectionExtensions
{
    /// <summary>
    /// Pulling sources into the drop zone: the "Pull" options, the pull HttpClient (the default handler, so TLS is
    /// verified; Retry-After is honoured by <see cref="PullHttp"/> itself), the Retry-After wait and the three kinds.
    /// </summary>
    public static IServiceCollection AddMonitorPull(this IServiceCollection services)
    {
        services.AddValidatedOptions<PullOptions>(PullOptions.Section);
        // Real elapsed time for the pull locks' leases (as for the sweep lock).
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(PullHttp.ClientName);
        services.AddSingleton<RetryDelay>(static (delay, cancellationToken) => Task.Delay(delay, cancellationToken));
        return services
            .AddSingleton<PullHttp>()
            .AddSingleton<DropZoneWriter>()
            .AddSingleton<TaxiiCollectionPuller>()
            .AddSingleton<MispFeedPuller>()
            .AddSingleton<HttpFilePuller>()
            .AddSingleton<FeedPuller>();
    }
}
