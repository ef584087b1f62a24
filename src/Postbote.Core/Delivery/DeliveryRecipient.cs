using Postbote.Core.Envelope;

namespace Postbote.Core.Delivery;

/// <summary>A recipient handed to a delivery agent, with its RFC 3461 parameters.</summary>
/// <param name="Address">The forward-path mailbox, e.g. "bob@example.net".</param>
/// <param name="Notify">NOTIFY=, or <see cref="DsnNotify.None"/> when not given.</param>
/// <param name="OriginalRecipient">ORCPT= as "addr-type;xtext-decoded-address", or null.</param>
public sealed record DeliveryRecipient(string Address, DsnNotify Notify = DsnNotify.None, string? OriginalRecipient = null);
