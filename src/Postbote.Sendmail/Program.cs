using Postbote.Sendmail;

return await SendmailProgram.RunAsync(args, CancellationToken.None);
