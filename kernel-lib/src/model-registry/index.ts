/** The model registry: named models whose numbered versions point at runs' logged model packages, with aliases and their history. Never imports tfjs. */
export { aliasHistory, deleteAlias, setAlias } from './aliases';
export { checkAlias, checkModelName, parseModelRef, type ModelRef } from './names';
export { deleteModelVersion, getModel, listModels, registerModel, resolveModel, type RegisterModelOptions } from './versions';
export type { AliasEvent, ModelLineage, ModelRecord, ModelSummary, ModelVersion, ModelVersionDetail } from './types';
