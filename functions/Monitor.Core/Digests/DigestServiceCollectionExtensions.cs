using Microsoft.Extensions.DependencyInjection;

namespace Monitor.Core.Digests;

internal static class DigestServiceCollectionExtensions
{
    /// <summary>The daily digest: its options, the builder (reads state only), the writer and the e-mail.</summary>
    public static IServiceCollection AddMonitorDigest(this IServiceCollection services) => services
        .AddValidatedOptions<DigestOptions>(DigestOptions.Section)
        .AddSingleton<DigestBuilder>()
        .AddSingleton<DigestWriter>()
        .AddSingleton<DigestMailer>();
}
