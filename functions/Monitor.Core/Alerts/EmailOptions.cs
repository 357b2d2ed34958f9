using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Monitor.Core.Alerts;

/// <summary>
/// The SMTP relay that e-mails alerts and the digest (section "Monitor:Email"; <c>Monitor__Email__Host</c> and so on).
/// Any relay works: Azure Communication Services' SMTP endpoint, Exchange Online, a local MailDev.
/// </summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string Section = "Monitor:Email";

    /// <summary>The relay's host name; empty: no e-mail is sent (routes' e-mail addresses are then reported as not deliverable).</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>The sender address, e.g. <c>monitor@example.org</c> or <c>Monitor &lt;monitor@example.org&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary><c>none</c> (plain SMTP), <c>starttls</c> (upgrade, required) or <c>tls</c> (TLS from the first byte, port 465).</summary>
    [RegularExpression("(?i)^(none|starttls|tls)$", ErrorMessage = "Monitor:Email:Security must be 'none', 'starttls' or 'tls'")]
    public string Security { get; set; } = "starttls";

    /// <summary>Signs in with this user name when set (ACS: the SMTP user name; Exchange Online: the mailbox).</summary>
    public string? UserName { get; set; }

    /// <summary>The name of the setting that holds the password (in Azure a Key Vault reference), never the password itself.</summary>
    public string? PasswordSetting { get; set; }

    /// <summary>The timeout of one SMTP conversation.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }
        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out _))
        {
            yield return new ValidationResult($"Monitor:Email:From '{From}' is not an e-mail address (it is required when Monitor:Email:Host is set)", [nameof(From)]);
        }
        if (!string.IsNullOrWhiteSpace(UserName) && string.IsNullOrWhiteSpace(PasswordSetting))
        {
            yield return new ValidationResult("Monitor:Email:UserName is set but Monitor:Email:PasswordSetting (the name of the setting that holds the password) is not", [nameof(PasswordSetting)]);
        }
    }
}
