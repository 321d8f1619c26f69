/**
 * The port `emolabel label-studio-backend` listens on unless `--port` says otherwise (the Python
 * backends' default); its own module, so help text loads no server.
 */
export const DEFAULT_ML_BACKEND_PORT = 9090;
