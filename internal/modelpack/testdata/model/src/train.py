import joblib

print("train")
