/**
 * Builds the Node implementations of core's ports for a command, from the environment.
 */
import { homedir } from "node:os";
import type { ConfigStore, TokenStore } from "@awslogin/core";
import {
  createFileTokenStore,
  editConfigText,
  readConfigText,
  readCredentialsSection,
  resolveConfigFilePath,
  resolveSharedFilePaths,
  writeConfigText,
} from "@awslogin/core/node";
import { resolveCacheDirectory } from "@awslogin/core/resolve";

export interface Context {
  env: NodeJS.ProcessEnv;
  configPath: string;
  config: ConfigStore;
  store: TokenStore;
}

export function createContext(env: NodeJS.ProcessEnv = process.env): Context {
  const homeDir = homedir();
  const configPath = resolveConfigFilePath({ env, homeDir });
  const { credentialsPath } = resolveSharedFilePaths({}, env, homeDir);
  return {
    env,
    configPath,
    config: {
      path: configPath,
      read: () => readConfigText(configPath),
      write: (text) => writeConfigText(configPath, text),
      update: (edit) => editConfigText(configPath, edit),
      readCredentialsSection: (profile) => readCredentialsSection(credentialsPath, profile),
      credentialsPath,
    },
    store: createFileTokenStore({ directory: resolveCacheDirectory({ env, homeDir }).value }),
  };
}
