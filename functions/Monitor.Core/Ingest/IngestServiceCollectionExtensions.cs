using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Matching;

namespace Monitor.Core.Ingest;

internal static class IngestServiceCollectionExtensions
{
    /// <summary>The ingest of the drop zone: the run ledger, the register and incident ingests and what they share.</summary>
    public static IServiceCollection AddMonitorIngest(this IServiceCollection services) => services
        .AddSingleton<RequestIndexCache>()
        .AddSingleton<RunLedger>()
        .AddSingleton<EventReassessment>()
        .AddSingleton<IncidentIngest>()
        .AddSingleton<RetroMatch>()
        .AddSingleton<RegisterIngest>()
        .AddSingleton<FeedIngestor>();
}
