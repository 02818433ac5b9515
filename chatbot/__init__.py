"""notechat's chatbot: answers that quote the notes, the command line and the browser UI."""
