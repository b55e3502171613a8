//! The login-time course reminder: an autostart entry that runs
//! `unknot remind` once at login. It exists only while the reminder is on;
//! nothing of the app stays running.

use std::path::{Path, PathBuf};

use crate::files::{self, FileError};

/// The autostart entry for one set of files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autostart {
    /// Where the entry goes (`~/.config/autostart/…desktop`).
    pub path: PathBuf,
    /// The program and its arguments, before quoting.
    pub command: Vec<String>,
}

impl Autostart {
    /// The entry that runs `program remind` with the folders named on this
    /// command line. Files in the usual folders get the plain name; a
    /// `--data-dir` gets a name of its own, so turning the reminder off
    /// there never removes the entry of the person's usual files.
    pub fn new(
        autostart_dir: &Path,
        program: &Path,
        data_dir: Option<&Path>,
        config_dir: Option<&Path>,
    ) -> Self {
        let mut command = vec![program.to_string_lossy().into_owned(), "remind".to_owned()];
        let mut key = String::new();
        for (flag, dir) in [("--data-dir", data_dir), ("--config-dir", config_dir)] {
            if let Some(dir) = dir {
                let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
                command.push(flag.to_owned());
                command.push(dir.to_string_lossy().into_owned());
                key.push_str(&command[command.len() - 1]);
                key.push('\n');
            }
        }
        let name = if key.is_empty() {
            format!("{}-remind.desktop", super::APP_ID)
        } else {
            let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            });
            format!("{}-remind-{hash:016x}.desktop", super::APP_ID)
        };
        Self {
            path: autostart_dir.join(name),
            command,
        }
    }

    /// The entry's text.
    pub fn entry(&self) -> String {
        let exec: Vec<String> = self.command.iter().map(|arg| quote_exec(arg)).collect();
        format!(
            "[Desktop Entry]\n\
             Type=Application\n\
             Name=unknot course reminder\n\
             Comment=A notification at login when a session of your unknot course is due\n\
             Exec={}\n\
             Icon={}\n\
             Terminal=false\n\
             NoDisplay=true\n\
             X-GNOME-Autostart-enabled=true\n",
            exec.join(" "),
            super::APP_ID
        )
    }

    /// Writes the entry (reminders on) or removes it (off).
    pub fn apply(&self, on: bool) -> Result<(), FileError> {
        if on {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir).map_err(FileError::io(dir, "made"))?;
            }
            files::write_atomically(&self.path, self.entry().as_bytes())
        } else {
            match std::fs::remove_file(&self.path) {
                Ok(()) => Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(error) => Err(FileError::io(&self.path, "removed")(error)),
            }
        }
    }
}

/// The autostart folder: `$XDG_CONFIG_HOME/autostart`, or `~/.config/autostart`.
pub fn autostart_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|dirs| dirs.config_dir().join("autostart"))
}

/// One argument of an `Exec` line, quoted as the desktop entry
/// specification asks: reserved characters inside double quotes, `"`,
/// `` ` ``, `$` and `\` escaped, `%` doubled, then `\` escaped again for the
/// string value itself.
pub fn quote_exec(arg: &str) -> String {
    const RESERVED: &[char] = &[
        ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(',
        ')', '`',
    ];
    let arg = arg.replace('%', "%%");
    let quoted = if arg.is_empty() || arg.contains(RESERVED) {
        let mut out = String::from("\"");
        for c in arg.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    } else {
        arg
    };
    quoted.replace('\\', "\\\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_awkward_arguments_are_quoted_by_the_spec() {
        assert_eq!(quote_exec("/usr/bin/unknot"), "/usr/bin/unknot");
        assert_eq!(quote_exec("/home/a b/x"), "\"/home/a b/x\"");
        assert_eq!(quote_exec("100%"), "100%%");
        assert_eq!(quote_exec("a\"b"), "\"a\\\\\"b\"");
        assert_eq!(quote_exec("$HOME"), "\"\\\\$HOME\"");
    }

    #[test]
    fn a_custom_data_folder_gets_its_own_entry() {
        let dir = Path::new("/home/a/.config/autostart");
        let usual = Autostart::new(dir, Path::new("/usr/bin/unknot"), None, None);
        let custom = Autostart::new(
            dir,
            Path::new("/usr/bin/unknot"),
            Some(Path::new("/tmp/x")),
            None,
        );
        assert!(
            usual
                .path
                .ends_with("io.github.unknot.Unknot-remind.desktop")
        );
        assert_ne!(usual.path, custom.path);
        assert!(
            custom
                .entry()
                .contains("Exec=/usr/bin/unknot remind --data-dir /tmp/x\n")
        );
    }
}
