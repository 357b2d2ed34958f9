using Microsoft.Extensions.DependencyInjection;

namespace Monitor.Core.Digests;

public static class DigestServiceCollectionExtensions
{
    /// <summary>The daily digest: its options, the builder (reads state only) and the writer.</summary>
    public static IServiceCollection AddMonitorDigest(this IServiceCollection services)
    {
        services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services
            .AddSingleton<DigestBuilder>()
            .AddSingleton<DigestWriter>();
    }
}
