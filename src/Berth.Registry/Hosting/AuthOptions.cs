using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

public sealed class AuthOptions
{
    /// <summary>Token signing key shared by every node (any string of 32+ characters); when unset, one is generated and kept in the metadata store.</summary>
    [MinLength(32)]
    public string? SigningKey { get; set; }

    /// <summary>
    /// Keys that still verify tokens but no longer sign them: to rotate, make the old key the previous one and set a
    /// new <see cref="SigningKey"/> on every node; remove it after a token lifetime.
    /// </summary>
    public string[] PreviousSigningKeys { get; set; } = [];

    /// <summary>Lifetime of bearer tokens.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of OAuth2 refresh tokens (<c>access_type=offline</c>); they die with the password anyway.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a successful Basic verification is remembered (it is still revoked at once by a reset).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan BasicCacheLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Failed logins one client (a username from one address) may make before each further attempt must wait
    /// <see cref="FirstLoginDelay"/>, then twice as long after every failure, up to <see cref="MaxLoginDelay"/>. Other
    /// addresses are never slowed by it.
    /// </summary>
    [Range(1, 1000)]
    public int FailedLoginsBeforeDelay { get; set; } = 5;

    /// <summary>
    /// Failed logins one address may make across every username before its attempts wait the same way; usernames that
    /// signed in from that address within <see cref="KnownClientMemory"/> are not slowed by it.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxFailedLoginsPerAddress { get; set; } = 30;

    /// <summary>The first wait of a throttled client; each further failure doubles it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan FirstLoginDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts of a throttled client.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxLoginDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed logins are forgotten this long after the last one.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "30.00:00:00")]
    public TimeSpan FailedLoginMemory { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a successful login exempts that username at that address from the address's throttling.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan KnownClientMemory { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long the password a reset or change replaced is recognised: a client still sending it is told so, and its
    /// failures never count toward throttling.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan PreviousPasswordWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The <c>service</c> name in challenges and tokens.</summary>
    [Required]
    public string Service { get; set; } = "berth";
}
