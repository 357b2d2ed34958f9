using Microsoft.Extensions.DependencyInjection;

namespace Monitor.Core.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>The storage contract and one store per table.</summary>
    public static IServiceCollection AddMonitorStorage(this IServiceCollection services) => services
        .AddSingleton<MonitorStorage>()
        .AddSingleton<RequestStore>()
        .AddSingleton<RequestEventStore>()
        .AddSingleton<MatchStore>()
        .AddSingleton<RejectStore>()
        .AddSingleton<FeedRunStore>()
        .AddSingleton<AlertStore>()
        .AddSingleton<SweepScheduleStore>()
        .AddSingleton<PeriodStatsStore>();
}
